/**
 * Optional sink for what the binding cannot tell a client: dropped messages (no response topic can be
 * formed), expired requests, a handler that threw. Entries never carry payloads, content or keys.
 */
export type BindingLogger = (entry: {
  level: 'error' | 'warn' | 'info';
  message: string;
  topic?: string;
  rqi?: string;
  error?: unknown;
}) => void;
