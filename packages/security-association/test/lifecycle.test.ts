// Credential lifecycle in the SA function (issue 12): removeAeId over a SQLite-backed binding store
// (persisted, survives a reopen), and which live associations deregistration and PSK revocation end.
// Sockets are stand-ins here (the process tests in apps/in-cse use real TLS sessions).
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { CredentialBinding } from '@m2msec/identification';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deregisterAe,
  PersistentCredentialBindings,
  revokePskCredential,
  SecurityAssociationRegistry,
} from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };
let store: Store;

beforeAll(async () => {
  store = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-sa-lc-')), 'b.db') });
});
afterAll(async () => {
  await store?.close();
});

class FakeSocket extends EventEmitter {
  destroyed = false;
  ended = false;
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  end() {
    this.ended = true;
  }
}

function live(registry: SecurityAssociationRegistry, credentialId: string, provenIds: string[] = []) {
  const s = new FakeSocket();
  registry.establish(s as unknown as TLSSocket, { framework: 'psk', credentialId, provenIds });
  return s;
}

describe('deregistration', () => {
  it('removes the AE-ID from every binding (persisted) and ends exactly the associations that could act as it', async () => {
    const collection = store.collection<CredentialBinding>('bindings-1');
    const bindings = await PersistentCredentialBindings.open(collection, idContext);
    await bindings.set('12-one', { kind: 'ae', aeIds: ['Cgone'] });
    await bindings.set('12-two', { kind: 'ae', aeIds: ['Cgone', 'Ckept'] });
    await bindings.set('12-three', { kind: 'ae', aeIds: ['Cother'] });
    const registry = new SecurityAssociationRegistry();
    const one = live(registry, '12-one');
    const two = live(registry, '12-two');
    const three = live(registry, '12-three');
    const cert = live(registry, '33-/id-in/Cgone', ['/id-in/Cgone']);

    expect(await deregisterAe({ bindings, registry, idContext }, 'Cgone')).toBe(3);
    expect(registry.associationOf(one as unknown as TLSSocket)).toBeUndefined();
    expect(registry.associationOf(cert as unknown as TLSSocket)).toBeUndefined();
    expect(registry.associationOf(three as unknown as TLSSocket)).toBeDefined();
    expect(three.destroyed || three.ended).toBe(false);
    expect(bindings.boundIdsSync('12-one')).toEqual([]);
    expect(bindings.boundIdsSync('12-two')).toEqual(['/id-in/Ckept']);
    // Persisted: a reopened store agrees.
    const reopened = await PersistentCredentialBindings.open(collection, idContext);
    expect(reopened.getSync('12-one')).toBeUndefined();
    expect(reopened.boundIdsSync('12-two')).toEqual(['/id-in/Ckept']);
    expect(reopened.boundIdsSync('12-three')).toEqual(['/id-in/Cother']);
    // Graceful: the sockets are ended after the current turn, then destroyed.
    await new Promise((r) => setTimeout(r, 200));
    expect(one.ended && two.ended).toBe(true);
  });

  it('an AE-ID that does not parse unbinds nothing', async () => {
    const bindings = await PersistentCredentialBindings.open(store.collection('bindings-2'), idContext);
    expect(await deregisterAe({ bindings, registry: new SecurityAssociationRegistry(), idContext }, '')).toBe(0);
  });
});

describe('PSK revocation', () => {
  it('deletes the key first, then the binding, and destroys the live sessions of that credential only', async () => {
    const bindings = await PersistentCredentialBindings.open(store.collection('bindings-3'), idContext);
    await bindings.set('12-victim', { kind: 'ae', aeIds: ['Cv'] });
    const registry = new SecurityAssociationRegistry();
    const victim = live(registry, '12-victim');
    const bystander = live(registry, '12-bystander');
    const deleted: string[] = [];
    const n = await revokePskCredential(
      { bindings, registry, deleteKey: async (id) => void deleted.push(id) },
      'victim',
    );
    expect(n).toBe(1);
    expect(deleted).toEqual(['victim']);
    expect(victim.destroyed).toBe(true);
    expect(bystander.destroyed).toBe(false);
    expect(bindings.getSync('12-victim')).toBeUndefined();
  });

  it('a key that cannot be deleted leaves binding and sessions as they were (fail before any change)', async () => {
    const bindings = await PersistentCredentialBindings.open(store.collection('bindings-4'), idContext);
    await bindings.set('12-x', { kind: 'ae', aeIds: ['Cx'] });
    const registry = new SecurityAssociationRegistry();
    const s = live(registry, '12-x');
    await expect(
      revokePskCredential(
        {
          bindings,
          registry,
          deleteKey: async () => {
            throw new Error('unknown');
          },
        },
        'x',
      ),
    ).rejects.toThrow('unknown');
    expect(bindings.boundIdsSync('12-x')).toEqual(['/id-in/Cx']);
    expect(s.destroyed).toBe(false);
  });
});
