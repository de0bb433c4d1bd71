// The console's HTTP surface: one route table; every route passes the same guards in this order:
// security headers, the cross-site check (Sec-Fetch-Site; Origin on every POST), the session (all but
// the sign-in routes and static files), the synchronizer CSRF token (every POST), then the handler,
// which records what it did in the console's audit log.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import type { AccountStore } from './accounts.js';
import * as actions from './actions.js';
import type { ConsoleAuditLog } from './audit.js';
import { type BulkReport, CSV_COLUMNS, parseProvisioningCsv, provision } from './bulk.js';
import type { ConsoleConfig } from './config.js';
import { h, page, raw, table } from './html.js';
import type { InCseClient } from './in-cse-client.js';
import type { Lockout } from './lockout.js';
import { mafClients, mafDeregisterKey, mafKeyRegistrations, mafRegistrations, mafTrustAnchors } from './maf-client.js';
import {
  type AdminApiClient,
  type MefClient,
  mefCertificates,
  mefEnrolees,
  mefEnrolments,
  mefRevokeCertificate,
  mefRevokeEnrolment,
} from './mef-client.js';
import { pushRemoteConfig, remoteConfig } from './remote-config.js';
import { cookieHeader, cookieValue, type Session, Sessions } from './sessions.js';
import {
  checkRotation,
  emptyRotationReport,
  type RotationInput,
  type RotationReport,
  rotateTrustAnchor,
} from './ta-rotation.js';
import { verifyTotp } from './totp.js';

export interface ConsoleDeps {
  config: ConsoleConfig;
  accounts: AccountStore;
  sessions: Sessions;
  lockout: Lockout;
  audit: ConsoleAuditLog;
  cse: InCseClient;
  mef?: MefClient;
  maf?: AdminApiClient;
  /** Bulk jobs by id (their reports; kept for the process's lifetime). */
  jobs?: Map<string, { account: string; report: BulkReport }>;
  /** Bulk trust-anchor rotations (ta-rotation.ts) by job ID. */
  rotations?: Map<string, { account: string; report: RotationReport }>;
  now?: () => number;
}

interface Ctx {
  req: Request;
  res: Response;
  session: Session;
  address: string;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Sign-in routes: no session needed (still cross-site checked, the POST still CSRF-checked). */
  public?: boolean;
  handle(d: ConsoleDeps, c: Ctx): Promise<void> | void;
}

const staticDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'static');
const STATIC: Record<string, [string, string]> = {
  '/static/console.css': ['console.css', 'text/css; charset=utf-8'],
  '/static/console.js': ['console.js', 'text/javascript; charset=utf-8'],
};

// How often the live view polls the IN-CSE (each poll is one audit-log read, recorded by the IN-CSE).
const POLL_MS = 2000;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function send(c: Ctx, status: number, title: string, body: ReturnType<typeof h>, refresh?: number): void {
  c.res
    .status(status)
    .type('html')
    .send(page(title, body, c.session.account ? c.session : undefined, refresh));
}

function mafOf(d: ConsoleDeps): AdminApiClient {
  if (!d.maf) throw new actions.ActionError('no MAF is configured (maf in the console configuration)', 404);
  return d.maf;
}

function mefOf(d: ConsoleDeps): MefClient {
  if (!d.mef) throw new actions.ActionError('no MEF is configured (mef in the console configuration)', 404);
  return d.mef;
}

const jobView = (id: string, r: BulkReport) =>
  h`<p id="progress" data-finished="${String(r.finished)}">${r.finished ? 'Finished' : 'Running'}: ${r.done} of ${r.total} rows, ${r.succeeded} provisioned, ${r.failed} failed</p>
  <progress max="${r.total}" value="${r.done}"></progress>
  ${table(
    ['line', 'KpmID', 'Enrolee-ID', 'result'],
    r.results.map((x) => [h`${x.line}`, h`${x.kpmId}`, h`${x.enroleeId}`, h`${x.ok ? 'provisioned' : x.error}`]),
    'report',
  )}
  <p><a href="/bulk/job?id=${id}&amp;format=json">report as JSON</a></p>`;

const rotationView = (id: string, r: RotationReport) =>
  h`<p id="progress" data-finished="${String(r.finished)}">${r.finished ? 'Finished' : 'Running'}: pushed to ${r.pushed} of ${r.total} nodes; ${r.applied} applied, ${r.failed} failed, ${r.pending} pending, ${r.refused} refused</p>
  <progress max="${r.total}" value="${r.pushed}"></progress>
  <p>trust anchor <code>${r.fingerprint}</code></p>
  ${table(
    ['node', 'trustAnchorCred', 'outcome', 'detail'],
    r.results.map((x) => [
      h`${x.node}`,
      h`${x.rn ?? '—'}`,
      h`<span class="status-${x.outcome}">${x.outcome}</span>`,
      h`${x.detail ?? '—'}`,
    ]),
    'report',
  )}
  <p><a href="/bulk/rotation?id=${id}&amp;format=json">report as JSON</a></p>`;

const csrfField = (s: Session) => h`<input type="hidden" name="_csrf" value="${s.csrf}">`;

/** Runs an action for a view; an IN-CSE refusal becomes an error paragraph and a 502, audited. */
async function view(
  d: ConsoleDeps,
  c: Ctx,
  action: string,
  target: string,
  run: () => Promise<ReturnType<typeof h>>,
  title: string,
) {
  try {
    const body = await run();
    d.audit.record({ account: c.session.account, address: c.address, action, target, outcome: 'ok' });
    send(c, 200, title, body);
  } catch (e) {
    const status = e instanceof actions.ActionError ? e.status : 502;
    const message = e instanceof actions.ActionError ? e.message : 'the IN-CSE could not be reached';
    d.audit.record({
      account: c.session.account,
      address: c.address,
      action,
      target,
      outcome: 'failed',
      detail: message,
    });
    send(c, status, title, h`<p class="error">${message}</p>`);
  }
}

function loginForm(s: Session, message = ''): ReturnType<typeof h> {
  return h`${message ? h`<p class="error" id="login-error">${message}</p>` : ''}
  <form method="post" action="/login">${csrfField(s)}
  <label>Account <input name="name" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <label>TOTP code (if enrolled) <input name="totp" inputmode="numeric" autocomplete="one-time-code"></label>
  <button>Sign in</button></form>`;
}

const assocCell = (as: Array<{ framework: string; credentialId: string; peer: string }>) =>
  as.length === 0
    ? h`<span class="empty">no live association</span>`
    : raw(as.map((a) => h`<div class="assoc">${a.framework}: ${a.credentialId} from ${a.peer}</div>`.html).join(''));

export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/login',
    public: true,
    handle: (_d, c) => send(c, 200, 'Sign in', loginForm(c.session)),
  },
  {
    method: 'POST',
    path: '/login',
    public: true,
    async handle(d, c) {
      const name = str(c.req.body?.name);
      const locked = d.lockout.locked(name, c.address);
      if (locked) {
        d.audit.record({
          account: name,
          address: c.address,
          action: 'sign-in',
          outcome: 'refused',
          detail: `locked out (${locked})`,
        });
        send(c, 429, 'Sign in', loginForm(c.session, 'Too many failed sign-ins: locked out, try again later.'));
        return;
      }
      const account = await d.accounts.checkPassword(name, str(c.req.body?.password));
      const totpStep = account?.totpSecret
        ? verifyTotp(
            account.totpSecret,
            str(c.req.body?.totp),
            Math.floor((d.now ?? Date.now)() / 1000),
            account.totpLastStep ?? -1,
          )
        : undefined;
      const totpOk = !account?.totpSecret || totpStep !== undefined;
      if (!account || !totpOk) {
        d.lockout.fail(name, c.address);
        d.audit.record({
          account: name,
          address: c.address,
          action: 'sign-in',
          outcome: 'failed',
          detail: account ? 'wrong TOTP code' : 'wrong name or password',
        });
        send(c, 401, 'Sign in', loginForm(c.session, 'Wrong account, password or code.'));
        return;
      }
      if (totpStep !== undefined) d.accounts.setTotpLastStep(account.name, totpStep);
      d.lockout.succeed(account.name);
      d.sessions.delete(c.session.id); // a new id at sign-in: no session fixation
      const s = d.sessions.create(account.name);
      d.audit.record({ account: account.name, address: c.address, action: 'sign-in', outcome: 'ok' });
      c.res.setHeader('Set-Cookie', cookieHeader(s.id, !!d.config.http.tls));
      c.res.redirect(303, '/nodes');
    },
  },
  {
    method: 'POST',
    path: '/logout',
    handle(d, c) {
      d.sessions.delete(c.session.id);
      d.audit.record({ account: c.session.account, address: c.address, action: 'sign-out', outcome: 'ok' });
      c.res.setHeader('Set-Cookie', cookieHeader('', !!d.config.http.tls, 0));
      c.res.redirect(303, '/login');
    },
  },
  {
    method: 'GET',
    path: '/',
    handle: (_d, c) => c.res.redirect(303, '/nodes'),
  },
  {
    method: 'GET',
    path: '/nodes',
    handle: (d, c) =>
      view(
        d,
        c,
        'view-nodes',
        d.cse.cseBase,
        async () => {
          const n = await actions.nodes(d.cse);
          return h`<h2>AEs</h2>${table(
            ['AE-ID', 'resource name', 'App-ID', 'authenticated association'],
            n.aes.map((a) => [h`${a.aei}`, h`${a.rn}`, h`${a.api}`, assocCell(a.associations)]),
            'aes',
          )}<h2>Remote CSEs</h2>${table(
            ['CSE-ID', 'resource name', 'CSEBase', 'authenticated association'],
            n.remoteCses.map((r) => [h`${r.csi}`, h`${r.rn}`, h`${r.cb}`, assocCell(r.associations)]),
            'remote-cses',
          )}<h2>Live security associations</h2>${table(
            ['framework', 'Credential-ID', 'bound IDs', 'proven IDs', 'peer', 'since', 'expires'],
            n.sessions.map((s) => [
              h`${s.framework}`,
              h`${s.credentialId}`,
              h`${s.boundIds.join(', ')}`,
              h`${s.provenIds.join(', ')}`,
              h`${s.peerAddress}`,
              h`${s.establishedAt}`,
              h`${s.expiresAt ?? '—'}`,
            ]),
          )}`;
        },
        'Nodes, AEs and remote CSEs',
      ),
  },
  {
    method: 'GET',
    path: '/policies',
    handle: (d, c) =>
      view(
        d,
        c,
        'view-policies',
        d.cse.cseBase,
        async () => {
          const list = await actions.acps(d.cse);
          return h`${list.map(
            (p) => h`<fieldset class="acp" data-ri="${p.ri}"><legend>${p.rn} (${p.uri})</legend>
          <form method="post" action="/policies/update">${csrfField(c.session)}<input type="hidden" name="uri" value="${p.uri}">
          <label>privileges (pv)<br><textarea name="pv">${JSON.stringify(p.pv, null, 1)}</textarea></label>
          <p>self-privileges (pvs): <code>${JSON.stringify(p.pvs)}</code></p>
          <button>Update privileges</button></form></fieldset>`,
          )}${list.length === 0 ? h`<p class="empty">no access-control policies</p>` : ''}`;
        },
        'Access-control policies',
      ),
  },
  {
    method: 'POST',
    path: '/policies/update',
    handle: (d, c) => {
      const uri = str(c.req.body?.uri);
      return view(
        d,
        c,
        'update-acp',
        uri,
        async () => {
          let pv: unknown;
          try {
            pv = JSON.parse(str(c.req.body?.pv));
          } catch {
            throw new actions.ActionError('pv is not valid JSON', 400);
          }
          const acp = await actions.updateAcp(d.cse, uri, pv);
          return h`<p id="result">Updated ${uri}: <code>${JSON.stringify(acp.pv)}</code></p><p><a href="/policies">back</a></p>`;
        },
        'Policy updated',
      );
    },
  },
  {
    method: 'GET',
    path: '/remote-config',
    handle: (d, c) =>
      view(
        d,
        c,
        'view-remote-config',
        d.cse.cseBase,
        async () => {
          const list = await remoteConfig(d.cse);
          return h`<p>The security &lt;mgmtObj&gt;s of each &lt;node&gt; (docs/remote-security-config.md) and the status its device reported.</p>${table(
            ['node', 'kind', 'name', 'status', 'result', 'fingerprint in use', 'reported', 'configuration'],
            list.map((e) => [
              h`${e.node}`,
              h`${e.kind}`,
              h`${e.rn}`,
              h`<span class="status-${e.status}">${e.status}</span>`,
              h`${e.result ?? '—'}`,
              h`<code>${e.appliedFingerprint ?? '—'}</code>`,
              h`${e.appliedAt ?? '—'}`,
              h`<code>${JSON.stringify(e.config)}</code>`,
            ]),
            'remote-config',
          )}<h2>Push to a node</h2>
          <form method="post" action="/remote-config/push">${csrfField(c.session)}
          <label>node (resource name) <input name="node" required></label>
          <fieldset><legend>trustAnchorCred</legend>
          <label>certFingerprint (SHA-256, hex) <input name="taFingerprint" size="70"></label>
          <label>URI (https) <input name="taUri" size="50"></label></fieldset>
          <fieldset><legend>myCertFileCred: enrol a new certificate</legend>
          <label>at the MEFClientRegCfg (resource name) <input name="enrolAt"></label></fieldset>
          <button>Push</button></form>`;
        },
        'Remote security configuration',
      ),
  },
  {
    method: 'POST',
    path: '/remote-config/push',
    handle: (d, c) => {
      const node = str(c.req.body?.node);
      return view(
        d,
        c,
        'push-remote-config',
        node,
        async () => {
          const fp = str(c.req.body?.taFingerprint);
          const uri = str(c.req.body?.taUri);
          const enrolAt = str(c.req.body?.enrolAt);
          const r = await pushRemoteConfig(d.cse, {
            node,
            ...(fp || uri ? { trustAnchor: { fingerprint: fp, uri } } : {}),
            ...(enrolAt ? { enrolAt } : {}),
          });
          return h`<p id="result">Pushed to ${r.node}: ${r.created.map((x) => `${x.kind} ${x.rn}`).join(', ')}; the device applies it at its next poll.</p><p><a href="/remote-config">status</a></p>`;
        },
        'Remote configuration pushed',
      );
    },
  },
  {
    method: 'GET',
    path: '/explain',
    handle: (d, c) => {
      const q = { from: str(c.req.query.from), op: str(c.req.query.op) || 'retrieve', to: str(c.req.query.to) };
      const form = h`<form method="get" action="/explain">
        <label>Originator <input name="from" value="${q.from}" required></label>
        <label>Operation <select name="op">${Object.keys(actions.OPERATIONS).map((o) => h`<option${raw(o === q.op ? ' selected' : '')}>${o}</option>`)}</select></label>
        <label>Target <input name="to" value="${q.to}" size="40" required></label><button>Explain</button></form>`;
      if (!q.from || !q.to) return send(c, 200, 'Decision explainer', form);
      return view(
        d,
        c,
        'explain',
        `${q.from} ${q.op} ${q.to}`,
        async () => {
          const e = await actions.explain(d.cse, q.from, q.op, q.to);
          return h`${form}<p id="verdict" class="${e.permit ? 'permit' : 'deny'}">${e.permit ? 'PERMIT' : 'DENY'}</p>
          <p id="reason">${e.reason}</p><p>policies: ${e.policies.join(', ') || 'none'}</p>
          ${table(
            ['rule', 'permits', 'why'],
            e.rules.map((r) => [h`${r.rule}`, h`${r.permits ? 'yes' : 'no'}`, h`${r.reason}`]),
          )}`;
        },
        'Decision explainer',
      );
    },
  },
  {
    method: 'GET',
    path: '/credentials',
    handle: (d, c) =>
      view(
        d,
        c,
        'view-credentials',
        'psk',
        async () => {
          const [psk, live] = await Promise.all([actions.pskCredentials(d.cse), actions.sessions(d.cse)]);
          return h`<h2>Pre-provisioned symmetric keys (Kpsa)</h2>${table(
            ['Credential-ID', 'bound AE-IDs', 'live sessions', 'created', 'expires', ''],
            psk.map((p) => [
              h`${p.credentialId}`,
              h`${p.boundIds.join(', ')}`,
              h`<span class="live-count">${live.filter((s) => s.credentialId === p.credentialId).length}</span>`,
              h`${p.createdAt}`,
              h`${p.expiresAt ?? '—'}`,
              h`<form method="post" action="/credentials/psk/revoke" class="inline" data-confirm="Revoke ${p.keyId}? Its live sessions end now.">${csrfField(c.session)}<input type="hidden" name="keyId" value="${p.keyId}"><button>Revoke</button></form>`,
            ]),
          )}<h2>Live security associations</h2>${table(
            ['framework', 'Credential-ID', 'bound IDs', 'certificate', 'peer', 'since'],
            live.map((s) => [
              h`${s.framework}`,
              h`${s.credentialId}`,
              h`${s.boundIds.join(', ')}`,
              h`${s.certificate ? s.certificate.subjectAltNames.join(', ') : '—'}`,
              h`${s.peerAddress}`,
              h`${s.establishedAt}`,
            ]),
          )}`;
        },
        'Credentials',
      ),
  },
  {
    method: 'POST',
    path: '/credentials/psk/revoke',
    handle: (d, c) => {
      const keyId = str(c.req.body?.keyId);
      return view(
        d,
        c,
        'revoke-psk',
        keyId,
        async () => {
          const r = await actions.revokePsk(d.cse, keyId);
          return h`<p id="result">Revoked ${r.revoked}; ${r.associations} live association(s) ended.</p><p><a href="/credentials">back</a></p>`;
        },
        'Credential revoked',
      );
    },
  },
  {
    method: 'GET',
    path: '/enrolments',
    handle: (d, c) =>
      view(
        d,
        c,
        'view-enrolments',
        'mef',
        async () => {
          const mef = mefOf(d);
          const [enrolees, enrolments, certs] = await Promise.all([
            mefEnrolees(mef),
            mefEnrolments(mef),
            mefCertificates(mef),
          ]);
          return h`<h2>Enrolees (Bootstrap Instruction Configuration)</h2>${table(
            ['principal', 'Enrolee-ID', 'targets'],
            (enrolees as any[]).map((e) => [h`${e.principal}`, h`${e.enroleeId}`, h`${JSON.stringify(e.targets)}`]),
            'enrolees',
          )}<h2>Enrolments (Ke)</h2>${table(
            ['KeID', 'Enrolee-ID', 'state', 'expires', ''],
            (enrolments as any[]).map((e) => [
              h`${e.keId}`,
              h`${e.enroleeId}`,
              h`${e.state ?? (e.revoked ? 'revoked' : 'active')}`,
              h`${e.expiresAt ? new Date(e.expiresAt).toISOString() : '—'}`,
              h`<form method="post" action="/enrolments/revoke" class="inline" data-confirm="Revoke enrolment ${e.keId}?">${csrfField(c.session)}<input type="hidden" name="keId" value="${e.keId}"><button>Revoke</button></form>`,
            ]),
            'enrolments',
          )}<h2>EST certificates</h2>${table(
            ['serial', 'Enrolee-ID', 'operation', 'issued', 'expires (notAfter)', 'revoked', ''],
            certs.map((x) => [
              h`${x.serialNumber}`,
              h`${x.enroleeId}`,
              h`${x.operation}`,
              h`${x.issuedAt}`,
              h`${x.notAfter}`,
              h`${x.revoked ?? '—'}`,
              x.revoked
                ? h``
                : h`<form method="post" action="/enrolments/certificate/revoke" class="inline" data-confirm="Revoke certificate ${x.serialNumber}?">${csrfField(c.session)}<input type="hidden" name="serial" value="${x.serialNumber}"><button>Revoke</button></form>`,
            ]),
            'certificates',
          )}`;
        },
        'MEF enrolments and certificates',
      ),
  },
  {
    method: 'POST',
    path: '/enrolments/revoke',
    handle: (d, c) => {
      const keId = str(c.req.body?.keId);
      return view(
        d,
        c,
        'revoke-enrolment',
        keId,
        async () => {
          await mefRevokeEnrolment(mefOf(d), keId);
          return h`<p id="result">Revoked enrolment ${keId}.</p><p><a href="/enrolments">back</a></p>`;
        },
        'Enrolment revoked',
      );
    },
  },
  {
    method: 'POST',
    path: '/enrolments/certificate/revoke',
    handle: (d, c) => {
      const serial = str(c.req.body?.serial);
      return view(
        d,
        c,
        'revoke-certificate',
        serial,
        async () => {
          const r = await mefRevokeCertificate(mefOf(d), serial);
          return h`<p id="result">Revoked certificate ${r.revoked} at ${r.revokedAt} (${r.reason}); it is on the MEF's CRL.</p><p><a href="/enrolments">back</a></p>`;
        },
        'Certificate revoked',
      );
    },
  },
  {
    method: 'GET',
    path: '/maf',
    handle: (d, c) =>
      view(
        d,
        c,
        'view-maf',
        'maf',
        async () => {
          const maf = mafOf(d);
          const [clients, regs, keys, anchors] = await Promise.all([
            mafClients(maf),
            mafRegistrations(maf),
            mafKeyRegistrations(maf),
            mafTrustAnchors(maf),
          ]);
          const json = (v: unknown) => h`<code>${JSON.stringify(v)}</code>`;
          return h`<h2>MAF clients</h2>${table(
            ['client', 'details'],
            (clients as any[]).map((x) => [h`${x.clientId ?? x.credentialId}`, json(x)]),
            'maf-clients',
          )}
        <h2>Client registrations</h2>${table(
          ['registration', 'details'],
          (regs as any[]).map((x) => [h`${x.mafClientRegID ?? x.clientId ?? ''}`, json(x)]),
          'maf-registrations',
        )}
        <h2>Key registrations</h2>${table(
          ['RelativeKeyID', 'details', ''],
          (keys as any[]).map((x) => [
            h`${x.relativeKeyID}`,
            json(x),
            h`<form method="post" action="/maf/keys/deregister" class="inline" data-confirm="Stop distributing key ${x.relativeKeyID}?">${csrfField(c.session)}<input type="hidden" name="rid" value="${x.relativeKeyID}"><button>Deregister</button></form>`,
          ]),
          'maf-keys',
        )}<h2>DerivedKey trust anchors</h2>${table(
          ['TA_id', 'details'],
          (anchors as any[]).map((x) => [h`${x.taId}`, json(x)]),
          'maf-trust-anchors',
        )}`;
        },
        'MAF registrations',
      ),
  },
  {
    method: 'POST',
    path: '/maf/keys/deregister',
    handle: (d, c) => {
      const rid = str(c.req.body?.rid);
      return view(
        d,
        c,
        'maf-deregister-key',
        rid,
        async () => {
          const r = await mafDeregisterKey(mafOf(d), rid);
          return h`<p id="result">Key ${rid} deregistered; targets told: ${JSON.stringify(r.notifiedTargets)}.</p><p><a href="/maf">back</a></p>`;
        },
        'Key deregistered',
      );
    },
  },
  {
    method: 'GET',
    path: '/bulk',
    handle: (d, c) =>
      send(
        c,
        200,
        'Bulk provisioning at the MEF',
        h`<form method="post" action="/bulk/provision">${csrfField(c.session)}
        <label>CSV (header <code>${CSV_COLUMNS.join(',')}</code>)<br><textarea name="csv" rows="12"></textarea></label>
        <button>Provision</button></form>
        <h2>Jobs</h2>${table(
          ['job', 'account', 'progress'],
          [...(d.jobs ?? new Map()).entries()].map(([id, j]) => [
            h`<a href="/bulk/job?id=${id}">${id}</a>`,
            h`${j.account}`,
            h`${j.report.done}/${j.report.total}`,
          ]),
        )}`,
      ),
  },
  {
    method: 'POST',
    path: '/bulk/provision',
    async handle(d, c) {
      let rows: ReturnType<typeof parseProvisioningCsv>;
      try {
        mefOf(d);
        rows = parseProvisioningCsv(str(c.req.body?.csv));
      } catch (e) {
        const message = e instanceof actions.ActionError ? e.message : 'bad CSV';
        d.audit.record({
          account: c.session.account,
          address: c.address,
          action: 'bulk-provision',
          outcome: 'failed',
          detail: message,
        });
        return send(
          c,
          400,
          'Bulk provisioning at the MEF',
          h`<p class="error">${message}</p><p><a href="/bulk">back</a></p>`,
        );
      }
      const id = randomBytes(8).toString('hex');
      d.jobs ??= new Map();
      const job = {
        account: c.session.account,
        report: { total: rows.length, done: 0, succeeded: 0, failed: 0, results: [], finished: false } as BulkReport,
      };
      d.jobs.set(id, job);
      d.audit.record({
        account: c.session.account,
        address: c.address,
        action: 'bulk-provision',
        target: `job ${id}`,
        outcome: 'ok',
        detail: `${rows.length} rows`,
      });
      void provision(d.mef!, rows, (r) => {
        job.report = { ...r, results: [...r.results] };
      }).then((r) =>
        d.audit.record({
          account: job.account,
          address: c.address,
          action: 'bulk-provision-done',
          target: `job ${id}`,
          outcome: r.failed ? 'failed' : 'ok',
          detail: `${r.succeeded} provisioned, ${r.failed} failed`,
        }),
      );
      c.res.redirect(303, `/bulk/job?id=${id}`);
    },
  },
  {
    method: 'GET',
    path: '/bulk/rotate-trust-anchor',
    handle: (d, c) =>
      send(
        c,
        200,
        'Rotate a trust anchor on all nodes',
        h`<form method="post" action="/bulk/rotate-trust-anchor">${csrfField(c.session)}
        <label>certFingerprint (SHA-256 of the DER, hex) <input name="fingerprint" size="70" required></label>
        <label>URI (https) <input name="uri" size="50" required></label>
        <label>nodes (resource names, comma-separated; empty: every &lt;node&gt;) <input name="nodes" size="50"></label>
        <label>follow the devices' reports for (seconds) <input name="wait" value="120" size="5"></label>
        <button>Rotate</button></form>
        <h2>Rotations</h2>${table(
          ['job', 'account', 'progress'],
          [...(d.rotations ?? new Map()).entries()].map(([id, j]) => [
            h`<a href="/bulk/rotation?id=${id}">${id}</a>`,
            h`${j.account}`,
            h`${j.report.applied}/${j.report.total} applied`,
          ]),
        )}`,
      ),
  },
  {
    method: 'POST',
    path: '/bulk/rotate-trust-anchor',
    async handle(d, c) {
      const nodes = str(c.req.body?.nodes)
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      const input: RotationInput = {
        fingerprint: str(c.req.body?.fingerprint),
        uri: str(c.req.body?.uri),
        ...(nodes.length ? { nodes } : {}),
        waitSeconds: Number(str(c.req.body?.wait) || '0'),
      };
      try {
        checkRotation(input);
      } catch (e) {
        const message = e instanceof actions.ActionError ? e.message : 'bad request';
        d.audit.record({
          account: c.session.account,
          address: c.address,
          action: 'rotate-trust-anchor',
          outcome: 'failed',
          detail: message,
        });
        return send(
          c,
          400,
          'Rotate a trust anchor on all nodes',
          h`<p class="error">${message}</p><p><a href="/bulk/rotate-trust-anchor">back</a></p>`,
        );
      }
      const id = randomBytes(8).toString('hex');
      d.rotations ??= new Map();
      const job = {
        account: c.session.account,
        report: emptyRotationReport(input.fingerprint.toLowerCase(), nodes.length),
      };
      d.rotations.set(id, job);
      d.audit.record({
        account: c.session.account,
        address: c.address,
        action: 'rotate-trust-anchor',
        target: `job ${id}`,
        outcome: 'ok',
        detail: `trust anchor ${job.report.fingerprint} to ${nodes.length ? nodes.join(',') : 'every <node>'}`,
      });
      void rotateTrustAnchor(d.cse, input, (r) => {
        job.report = r;
      }).then(
        (r) =>
          d.audit.record({
            account: job.account,
            address: c.address,
            action: 'rotate-trust-anchor-done',
            target: `job ${id}`,
            outcome: r.applied === r.total ? 'ok' : 'failed',
            detail: `${r.applied} applied, ${r.failed} failed, ${r.pending} pending, ${r.refused} refused of ${r.total}`,
          }),
        (e: Error) => {
          job.report = { ...job.report, finished: true };
          d.audit.record({
            account: job.account,
            address: c.address,
            action: 'rotate-trust-anchor-done',
            target: `job ${id}`,
            outcome: 'failed',
            detail: e.message,
          });
        },
      );
      c.res.redirect(303, `/bulk/rotation?id=${id}`);
    },
  },
  {
    method: 'GET',
    path: '/bulk/rotation',
    handle(d, c) {
      const id = str(c.req.query.id);
      const job = d.rotations?.get(id);
      if (!job) return send(c, 404, 'Trust anchor rotation', h`<p class="error">no such rotation</p>`);
      if (c.req.query.format === 'json') return void c.res.json(job.report);
      send(c, 200, `Trust anchor rotation ${id}`, rotationView(id, job.report), job.report.finished ? undefined : 1);
    },
  },
  {
    method: 'GET',
    path: '/bulk/job',
    handle(d, c) {
      const id = str(c.req.query.id);
      const job = d.jobs?.get(id);
      if (!job) return send(c, 404, 'Bulk job', h`<p class="error">no such job</p>`);
      if (c.req.query.format === 'json') return void c.res.json(job.report);
      send(c, 200, `Bulk job ${id}`, jobView(id, job.report), job.report.finished ? undefined : 1);
    },
  },
  {
    method: 'GET',
    path: '/audit',
    handle: (d, c) => {
      const q = { kind: str(c.req.query.kind), since: str(c.req.query.since), limit: Number(c.req.query.limit) || 100 };
      const cq = {
        account: str(c.req.query.account),
        action: str(c.req.query.action),
        outcome: str(c.req.query.outcome),
      };
      return view(
        d,
        c,
        'view-audit',
        'audit',
        async () => {
          const cse = await actions.cseAudit(d.cse, q);
          const own = d.audit.query({ ...cq, limit: 100 });
          return h`<form method="get" action="/audit"><fieldset><legend>filters</legend>
          <label>IN-CSE kind <select name="kind"><option value="">any</option>${['administrative-action', 'authentication-failure'].map((k) => h`<option${raw(k === q.kind ? ' selected' : '')}>${k}</option>`)}</select></label>
          <label>since (ISO time) <input name="since" value="${q.since}"></label>
          <label>console account <input name="account" value="${cq.account}"></label>
          <label>console outcome <select name="outcome"><option value="">any</option>${['ok', 'refused', 'failed'].map((k) => h`<option${raw(k === cq.outcome ? ' selected' : '')}>${k}</option>`)}</select></label>
          <button>Filter</button></fieldset></form>
          <h2>IN-CSE audit log</h2>${table(
            ['at', 'kind', 'channel', 'administrator', 'originator', 'op', 'to', 'rsc', 'reason'],
            (cse.events as any[]).map((e) => [
              h`${e.at}`,
              h`${e.kind}`,
              h`${e.channel}`,
              h`${e.administrator}`,
              h`${e.originator}`,
              h`${e.op}`,
              h`${e.to}`,
              h`${e.rsc}`,
              h`${e.reason}`,
            ]),
          )}<h2>Console audit log</h2>${table(
            ['time', 'account', 'address', 'action', 'target', 'outcome', 'detail'],
            own.map((r) => [
              h`${r.time}`,
              h`${r.account}`,
              h`${r.address}`,
              h`${r.action}`,
              h`${r.target}`,
              h`${r.outcome}`,
              h`${r.detail}`,
            ]),
          )}`;
        },
        'Audit log',
      );
    },
  },
  {
    method: 'GET',
    path: '/events',
    handle(d, c) {
      d.audit.record({ account: c.session.account, address: c.address, action: 'view-events', outcome: 'ok' });
      send(
        c,
        200,
        'Live security events',
        h`<h2>Live security associations</h2><ul id="live-sessions"></ul>
        <h2>Security events (IN-CSE audit log, live)</h2><ul id="events"></ul>`,
      );
    },
  },
  {
    method: 'GET',
    path: '/events/stream',
    handle(d, c) {
      d.audit.record({ account: c.session.account, address: c.address, action: 'stream-events', outcome: 'ok' });
      c.res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      let since = new Date(Date.now() - 60_000).toISOString();
      const seen = new Set<string>();
      let lastSessions = '';
      let busy = false;
      const poll = async () => {
        if (busy) return;
        busy = true;
        try {
          if (!d.sessions.get(c.session.id)) return void c.res.end(); // signed out or timed out
          const { events } = await actions.cseAudit(d.cse, { since, limit: 1000 });
          for (const e of [...(events as any[])].reverse()) {
            const key = JSON.stringify(e);
            if (seen.has(key)) continue;
            seen.add(key);
            if (e.at > since) since = e.at;
            // The stream's own reads of the audit log are recorded by the IN-CSE too; not shown here.
            if (String(e.to ?? '').endsWith('.well-known/m2msec/audit')) continue;
            c.res.write(`event: security\ndata: ${key}\n\n`);
          }
          const live = JSON.stringify(await actions.sessions(d.cse));
          if (live !== lastSessions) {
            lastSessions = live;
            c.res.write(`event: sessions\ndata: ${live}\n\n`);
          }
        } catch {
          c.res.write('event: error\ndata: "IN-CSE unreachable"\n\n');
        } finally {
          busy = false;
        }
      };
      void poll();
      const timer = setInterval(poll, POLL_MS);
      c.req.on('close', () => clearInterval(timer));
    },
  },
];

function refuse(res: Response, status: number, message: string): void {
  res
    .status(status)
    .type('html')
    .send(
      page(
        status === 401 ? 'Sign-in required' : 'Refused',
        h`<p class="error">${message}</p>${status === 401 ? h`<p><a href="/login">Sign in</a></p>` : ''}`,
      ),
    );
}

export function consoleApp(d: ConsoleDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: under no-referrer browsers send 'Origin: null' on form POSTs (Fetch 3.1).
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    if (d.config.http.tls) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  });
  // Cross-site requests: refused by Fetch Metadata where the browser sends it, and every POST must
  // carry this console's Origin (or, lacking Origin, a Referer of it).
  app.use((req, res, next) => {
    const site = req.get('Sec-Fetch-Site');
    if (site && site !== 'same-origin' && site !== 'none') return refuse(res, 403, 'cross-site request refused');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.get('Origin') ?? (req.get('Referer') ? new URL(req.get('Referer')!).origin : undefined);
      if (origin !== d.config.publicOrigin) return refuse(res, 403, 'cross-site request refused (Origin)');
    }
    next();
  });
  // The stylesheet and script need no session (the sign-in page uses them) but are cross-site checked.
  app.get(Object.keys(STATIC), (req, res) => {
    const [file, type] = STATIC[req.path]!;
    res.type(type).send(readFileSync(join(staticDir, file)));
  });
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  for (const r of ROUTES) {
    const register = r.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
    register(r.path, async (req: Request, res: Response) => {
      const address = req.socket.remoteAddress ?? '';
      let session = d.sessions.get(cookieValue(req.get('Cookie')));
      if (!r.public && !session?.account) {
        d.audit.record({
          account: '',
          address,
          action: `${r.method} ${r.path}`,
          outcome: 'refused',
          detail: 'no session',
        });
        return refuse(res, 401, 'sign in first');
      }
      if (r.public && !session) {
        if (r.method === 'POST') return refuse(res, 403, 'CSRF token missing: reload the sign-in page');
        session = d.sessions.create('');
        res.setHeader('Set-Cookie', cookieHeader(session.id, !!d.config.http.tls));
      }
      if (r.method === 'POST' && !Sessions.csrfMatches(session!, req.body?._csrf)) {
        d.audit.record({
          account: session!.account,
          address,
          action: `${r.method} ${r.path}`,
          outcome: 'refused',
          detail: 'CSRF token',
        });
        return refuse(res, 403, 'CSRF token missing or wrong');
      }
      try {
        await r.handle(d, { req, res, session: session!, address });
      } catch {
        if (!res.headersSent) refuse(res, 500, 'the console failed to answer');
      }
    });
  }
  app.use((req, res) => {
    const s = d.sessions.get(cookieValue(req.get('Cookie')));
    if (!s?.account) return refuse(res, 401, 'sign in first');
    refuse(res, 404, 'no such page');
  });
  return app;
}
