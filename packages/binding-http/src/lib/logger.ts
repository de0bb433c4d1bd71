/**
 * Optional sink for what the binding cannot tell the client (a handler that threw, a response that
 * could not be serialised). Entries never carry headers, tokens or bodies.
 */
export type BindingLogger = (entry: {
  level: 'error' | 'warn';
  message: string;
  rqi?: string;
  error?: unknown;
}) => void;
