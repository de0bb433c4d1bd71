// Console accounts: argon2id password hashes (@node-rs/argon2, OWASP parameters), optional TOTP
// secret, kept in a 0600 JSON file of the data directory (written whole, then renamed).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash, verify } from '@node-rs/argon2';

export interface Account {
  name: string;
  passwordHash: string;
  totpSecret?: string;
  /** The last TOTP step accepted (a code is used once only). */
  totpLastStep?: number;
  createdAt: string;
}

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
// algorithm 2 = Algorithm.Argon2id (a const enum, not importable under isolatedModules).
const PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class AccountStore {
  readonly #file: string;
  /** A hash to verify against when the account does not exist (same time either way). */
  #dummy: Promise<string> | undefined;

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'accounts.json');
  }

  list(): Account[] {
    if (!existsSync(this.#file)) return [];
    return JSON.parse(readFileSync(this.#file, 'utf8')) as Account[];
  }

  get(name: string): Account | undefined {
    return this.list().find((a) => a.name === name);
  }

  private save(all: Account[]): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }

  async add(name: string, password: string, totpSecret?: string): Promise<Account> {
    if (!NAME.test(name)) throw new Error('an account name is 1-64 letters, digits, . _ - (starting alphanumeric)');
    if (password.length < 12) throw new Error('the password must have at least 12 characters');
    const all = this.list();
    if (all.some((a) => a.name === name)) throw new Error(`account ${name} exists`);
    const a: Account = { name, passwordHash: await hash(password, PARAMS), createdAt: new Date().toISOString() };
    if (totpSecret) a.totpSecret = totpSecret;
    this.save([...all, a]);
    return a;
  }

  remove(name: string): boolean {
    const all = this.list();
    const rest = all.filter((a) => a.name !== name);
    this.save(rest);
    return rest.length !== all.length;
  }

  setTotpLastStep(name: string, step: number): void {
    this.save(this.list().map((a) => (a.name === name ? { ...a, totpLastStep: step } : a)));
  }

  /** Verifies the password; an unknown account costs one argon2 verification too. */
  async checkPassword(name: string, password: string): Promise<Account | undefined> {
    const a = this.get(name);
    if (!a) {
      this.#dummy ??= hash('not-an-account-password', PARAMS);
      await verify(await this.#dummy, password).catch(() => false);
      return undefined;
    }
    return (await verify(a.passwordHash, password).catch(() => false)) ? a : undefined;
  }
}
