import type { RequestPrimitive, ResponsePrimitive, SendOptions } from '@m2msec/protocol';

/** How an AE exchanges primitives with its registrar, whatever the binding. */
export interface AeTransport {
  /** Request to the registrar (or further, by To). */
  send(req: RequestPrimitive, opts?: SendOptions): Promise<ResponsePrimitive>;
  /** CREATE <AE>: over MQTT with a credential through reg_req (TS-0010 6.4.4). */
  register(req: RequestPrimitive): Promise<ResponsePrimitive>;
  /** Once the AE-ID is known: start receiving requests (notifications) for it; returns the AE's poa. */
  listen(aeId: string, onRequest: (req: RequestPrimitive) => Promise<ResponsePrimitive>): Promise<string[]>;
  close(): Promise<void>;
}
