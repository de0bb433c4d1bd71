// Password storage for the username / password option: argon2id (@node-rs/argon2, OWASP parameters:
// m = 19 MiB, t = 2, p = 1), the PHC string sealed by the MEF's SE like every other enrolee secret.
import { hash, verify } from '@node-rs/argon2';

// algorithm 2 = Algorithm.Argon2id (a const enum, not importable under isolatedModules).
const PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

let dummy: Promise<string> | undefined;

/**
 * True when `password` matches the PHC string. An unknown user (`phc` undefined) costs one argon2
 * verification too, so the answer time does not tell which usernames exist.
 */
export async function verifyPassword(phc: string | undefined, password: string): Promise<boolean> {
  if (phc === undefined) {
    dummy ??= hashPassword('m2msec unknown user placeholder');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}
