/** Resource types are stored as 32-bit integers (PostgreSQL integer); both backends accept the same range. */
export function isInt32(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647;
}
