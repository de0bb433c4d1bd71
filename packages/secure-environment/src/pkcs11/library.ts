import pkcs11js from 'pkcs11js';
import { seError } from '../errors.js';

/**
 * One PKCS#11 module per process, initialised while at least one SE uses it. Finalising when
 * the last SE closes lets a later open see tokens and objects other processes wrote.
 */
let module: pkcs11js.PKCS11 | undefined;
let modulePath: string | undefined;
let users = 0;

export function acquireModule(path: string): pkcs11js.PKCS11 {
  if (modulePath !== undefined && modulePath !== path) {
    throw seError('INVALID_INPUT', `a different PKCS#11 module is already loaded in this process (${modulePath})`);
  }
  if (!module) {
    const m = new pkcs11js.PKCS11();
    try {
      m.load(path);
    } catch (err) {
      throw seError('BACKEND_FAILURE', `cannot load PKCS#11 module ${path}: ${(err as Error).message}`);
    }
    module = m;
    modulePath = path;
  }
  if (users === 0) module.C_Initialize();
  users++;
  return module;
}

export function releaseModule(): void {
  if (!module || users === 0) return;
  users--;
  if (users === 0) module.C_Finalize();
}

export { pkcs11js };
