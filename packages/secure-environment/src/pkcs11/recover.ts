import type { Auditor } from '../lib/audit.js';
import type { SecureEnvironmentLogger } from '../types.js';
import { pkcs11js } from './library.js';
import { type Journal, listTokenObjects, type TokenObject } from './objects.js';

const P = pkcs11js;

/**
 * Roll a committed journal forward. SoftHSM2's file backend rewrites an object file in place on
 * C_SetAttributeValue, and a SIGKILL in the middle loses the object; so an object is never
 * modified: it is copied with its new label (C_CopyObject, a whole new file) and the original
 * destroyed. Idempotent: a finished copy is recognised by its label and the step is skipped.
 */
export function applyJournal(m: pkcs11js.PKCS11, session: Buffer, objects: TokenObject[], journal: Journal): void {
  for (const { uid, meta } of journal.setLabels) {
    const label = JSON.stringify(meta);
    const mine = objects.filter((x) => x.uid === uid && !x.journal);
    for (const cls of new Set(mine.map((x) => x.cls))) {
      const copies = mine.filter((x) => x.cls === cls);
      if (!copies.some((x) => x.label === label)) {
        m.C_CopyObject(session, copies[0]!.handle, [{ type: P.CKA_LABEL, value: label }]);
      }
      for (const x of copies) if (x.label !== label) m.C_DestroyObject(session, x.handle);
    }
  }
  for (const uid of journal.destroy) {
    for (const o of objects.filter((x) => x.uid === uid && !x.journal)) m.C_DestroyObject(session, o.handle);
  }
}

/**
 * Recovery at open: finish every committed provisioning session (journal present), roll back
 * every uncommitted one (pending objects without a journal), and drop half-written pairs and
 * superseded credential copies. Afterwards the token holds each session wholly or not at all.
 */
export function recoverToken(
  m: pkcs11js.PKCS11,
  session: Buffer,
  auditor: Auditor,
  logger?: SecureEnvironmentLogger,
): void {
  let objects = listTokenObjects(m, session);
  for (const j of objects.filter((o) => o.journal || (o.cls === P.CKO_DATA && !o.meta))) {
    if (!j.journal) continue;
    applyJournal(m, session, objects, j.journal);
    objects = listTokenObjects(m, session);
    m.C_DestroyObject(session, j.handle);
    auditor.record('recovery', { sessionId: j.journal.sid }, 'success');
    logger?.warn('completed a committed provisioning session after a crash', { sessionId: j.journal.sid });
    objects = listTokenObjects(m, session);
  }
  const rolledBack = new Set<string>();
  for (const o of objects) {
    if (o.meta?.pending) {
      m.C_DestroyObject(session, o.handle);
      rolledBack.add(o.meta.pending);
    }
  }
  for (const sid of rolledBack) {
    auditor.record('recovery', { sessionId: sid }, 'success');
    logger?.warn('rolled back an uncommitted provisioning session after a crash', { sessionId: sid });
  }
  if (rolledBack.size) objects = listTokenObjects(m, session);
  // an EC key is complete only with both halves; a crash inside key-pair creation leaves one
  const ecHalves = new Map<string, TokenObject[]>();
  for (const o of objects) {
    if (o.meta?.kind === 'key' && o.meta.alg === 'EC-P256') ecHalves.set(o.uid, [...(ecHalves.get(o.uid) ?? []), o]);
  }
  for (const halves of ecHalves.values()) {
    if (halves.length !== 2) for (const o of halves) m.C_DestroyObject(session, o.handle);
  }
  // overwriting a credential creates the new copy before destroying the old: keep the newest
  const creds = new Map<string, TokenObject[]>();
  for (const o of objects)
    if (o.meta?.kind === 'credential') creds.set(o.meta.label, [...(creds.get(o.meta.label) ?? []), o]);
  for (const copies of creds.values()) {
    if (copies.length < 2) continue;
    copies.sort((a, b) => (b.meta as { seq: number }).seq - (a.meta as { seq: number }).seq);
    for (const o of copies.slice(1)) m.C_DestroyObject(session, o.handle);
  }
}
