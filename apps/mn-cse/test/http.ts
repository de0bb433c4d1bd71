// One oneM2M request over HTTP (TS-0009 headers), as any AE would send it.
let n = 0;

export interface M2MResponse {
  status: number;
  rsc: number;
  body: any;
}

export async function m2m(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  o: { from?: string; ty?: number; body?: unknown; headers?: Record<string, string> } = {},
): Promise<M2MResponse> {
  const headers: Record<string, string> = {
    'X-M2M-RI': `t${++n}`,
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    ...o.headers,
  };
  if (o.from !== undefined) headers['X-M2M-Origin'] = o.from;
  if (o.body !== undefined) headers['Content-Type'] = `application/json${o.ty ? `;ty=${o.ty}` : ''}`;
  const r = await fetch(base + path, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await r.text();
  return { status: r.status, rsc: Number(r.headers.get('X-M2M-RSC')), body: text ? JSON.parse(text) : undefined };
}

export const aeBody = (api = 'Ntest') => ({ 'm2m:ae': { api, rr: false, srv: ['3'] } });

export const acpBody = (rn: string, rules: Array<[string[], number]>, admin = 'CAdmin') => ({
  'm2m:acp': {
    rn,
    pv: { acr: rules.map(([acor, acop]) => ({ acor, acop })) },
    pvs: { acr: [{ acor: [admin], acop: 63 }] },
  },
});
