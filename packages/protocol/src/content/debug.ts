/** Error body of a response: m2m:debugInfo (TS-0004 8.2.5 short name 'dbg') carrying the message. */
export function m2mDebugContent(message: string): { 'm2m:dbg': string } {
  return { 'm2m:dbg': message };
}
