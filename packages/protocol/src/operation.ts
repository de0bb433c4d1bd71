// m2m:operation (TS-0004 6.3.4.2.5) and the accessControlOperations bits (TS-0004 6.3.4.2.6, TS-0003 7.1.5).
export const Operation = { CREATE: 1, RETRIEVE: 2, UPDATE: 3, DELETE: 4, NOTIFY: 5 } as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

export const AccessControlOperation = {
  CREATE: 1,
  RETRIEVE: 2,
  UPDATE: 4,
  DELETE: 8,
  NOTIFY: 16,
  DISCOVERY: 32,
} as const;
export type AccessControlOperation = (typeof AccessControlOperation)[keyof typeof AccessControlOperation];

/** Bit of acop an operation needs; a RETRIEVE with filterUsage=discovery needs DISCOVERY (TS-0003 7.1.5). */
export function accessControlOperationFor(op: Operation, discovery = false): AccessControlOperation {
  switch (op) {
    case Operation.CREATE:
      return AccessControlOperation.CREATE;
    case Operation.RETRIEVE:
      return discovery ? AccessControlOperation.DISCOVERY : AccessControlOperation.RETRIEVE;
    case Operation.UPDATE:
      return AccessControlOperation.UPDATE;
    case Operation.DELETE:
      return AccessControlOperation.DELETE;
    case Operation.NOTIFY:
      return AccessControlOperation.NOTIFY;
  }
}
