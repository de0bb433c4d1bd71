import { parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { authenticateRequest, createAuthenticator } from '../src/index.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };
const registered = new Set(['/id-in/Cknown', '/Sknown']);

function input(fr: string | undefined, op = 2, ty?: number, boundIds?: string[], allowCse = false) {
  const from = fr ? parseOriginator(fr) : undefined;
  return {
    op,
    ty,
    from,
    originator: from ? toSpRelativeOriginator(from, ctx) : '',
    transport: { binding: 'http' as const, association: boundIds ? { boundIds, framework: 'psk' } : undefined },
    admin: fr === 'CAdmin',
    isRegisteredAe: async (id: string) => registered.has(id),
    allowCseWithoutAssociation: allowCse,
  };
}

const code = async (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e: { rsc: number }) => e.rsc,
  );

describe('TS-0004 7.3.2.1 receiver rules', () => {
  it('outside an association, a registered AE passes with rq_authn false', async () => {
    expect(await authenticateRequest(input('Cknown'))).toEqual({ authenticated: false });
    expect(await authenticateRequest(input('/Sknown'))).toEqual({ authenticated: false });
  });
  it('outside an association, an unregistered AE-ID gets 4106 except for CREATE <AE>', async () => {
    expect(await code(authenticateRequest(input('Cstranger')))).toBe(4106);
    expect(await code(authenticateRequest(input('Cstranger', 1, 2)))).toBe(0);
    expect(await code(authenticateRequest(input(undefined, 2)))).toBe(4106);
  });
  it('outside an association, any CSE-ID gets 4107 (unless waived)', async () => {
    expect(await code(authenticateRequest(input('/id-mn')))).toBe(4107);
    expect(await code(authenticateRequest(input('//m2msec.org/id-mn', 1, 16)))).toBe(4107);
    expect(await code(authenticateRequest(input('/id-mn', 2, undefined, undefined, true)))).toBe(0);
  });
  it('inside an association, From must be a bound identity (else 4106), rq_authn true', async () => {
    expect(await authenticateRequest(input('Cknown', 2, undefined, ['/id-in/Cknown']))).toEqual({
      authenticated: true,
      principal: { id: '/id-in/Cknown', framework: 'psk' },
    });
    expect(await code(authenticateRequest(input('Cxyz', 2, undefined, ['/id-in/Cabc'])))).toBe(4106);
    expect(await code(authenticateRequest(input('/id-mn', 2, undefined, ['/id-other'])))).toBe(4106);
  });
  it('inside an association, a first registration without an AE-ID is accepted', async () => {
    expect(await authenticateRequest(input('C', 1, 2, ['10-key@mef']))).toMatchObject({ authenticated: true });
  });
  it('the system administrator passes outside an association without rq_authn', async () => {
    expect(await authenticateRequest(input('CAdmin'))).toEqual({ authenticated: false });
  });
  it('an unbound credential may register a requested AE-ID-Stem; a bound one only its own', async () => {
    expect(await code(authenticateRequest(input('Cwanted', 1, 2, [])))).toBe(0);
    expect(await code(authenticateRequest(input('Cother', 1, 2, ['/id-in/Cmine'])))).toBe(4106);
    expect(await code(authenticateRequest(input('Cmine', 1, 2, ['/id-in/Cmine'])))).toBe(0);
  });
  it('CREATE <remoteCSE> with a credential that does not authenticate the CSE gets 4107', async () => {
    expect(await code(authenticateRequest(input('/id-mn', 1, 16, ['/id-other'])))).toBe(4107);
    expect(await code(authenticateRequest(input('/id-mn', 1, 16, [])))).toBe(4107);
    expect(await code(authenticateRequest(input('/id-mn', 1, 16, ['/id-mn'])))).toBe(0);
  });
  it('with the Mca policy "required", AEs outside an association get 4107; the admin still passes', async () => {
    const strict = createAuthenticator({ mca: 'required' });
    expect(await code(strict(input('Cknown')))).toBe(4107);
    expect(await code(strict(input('Cnew', 1, 2)))).toBe(4107);
    expect(await code(strict(input('CAdmin')))).toBe(0);
    expect(await code(strict(input('Cknown', 2, undefined, ['/id-in/Cknown'])))).toBe(0);
    expect(await code(createAuthenticator({ mca: 'optional' })(input('Cknown')))).toBe(0);
  });
});

describe('issue 12: credential-bound AEs and administrators', () => {
  const bound = new Set(['/id-in/Cknown']);
  const auth = createAuthenticator({ mca: 'optional', isCredentialBoundAe: (id) => bound.has(id) });
  it('an AE bound to a credential cannot be used from a plain transport (4106), an unbound one can', async () => {
    expect(await code(auth(input('Cknown')))).toBe(4106);
    expect(await code(auth(input('/Sknown')))).toBe(0);
    // Without the option (the library default) the plain request passes as before.
    expect(await code(authenticateRequest(input('Cknown')))).toBe(0);
  });
  it('an AE bound to a credential cannot be used from another association (4106)', async () => {
    expect(await code(auth(input('Cknown', 2, undefined, ['/id-in/Cother'])))).toBe(4106);
    expect(await auth(input('Cknown', 2, undefined, ['/id-in/Cknown']))).toMatchObject({ authenticated: true });
  });
  it('an administrator the administration function recognised passes inside its association', async () => {
    // input() marks CAdmin as admin: the administration decision matched the association's credential.
    expect(await auth(input('CAdmin', 2, undefined, []))).toMatchObject({ authenticated: true });
    expect(await code(auth(input('Cnotadmin', 2, undefined, [])))).toBe(4106);
  });
});
