// eventNotificationCriteria (TS-0004 6.3.5.x m2m:eventNotificationCriteria, 7.5.1.2.2 Step 1.0): checked
// when a <subscription> is created or updated, then matched against each event. The resource
// conditions (createdBefore ... sizeBelow) are tested on the resource the notification would carry;
// filterOperation combines different condition tags (AND by default). operationMonitor is not
// supported and is refused; missingData needs a <timeSeries> parent.
import { M2MError, parseTimestamp, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';

export const NotificationEventType = {
  update: 1,
  delete: 2,
  createChild: 3,
  deleteChild: 4,
  retrieveContainerWithNoChild: 5,
  triggerReceived: 6,
  blockingUpdate: 7,
  missingData: 8,
} as const;

export interface EventNotificationCriteria {
  crb?: string;
  cra?: string;
  ms?: string;
  us?: string;
  sts?: number;
  stb?: number;
  exb?: string;
  exa?: string;
  sza?: number;
  szb?: number;
  atr?: string[];
  net?: number[];
  chty?: number[];
  md?: unknown;
  om?: unknown;
  fo?: number;
}

const bad = (message: string): never => {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
};

const TIME_TAGS = ['crb', 'cra', 'ms', 'us', 'exb', 'exa'] as const;
const COUNT_TAGS = ['sts', 'stb', 'sza', 'szb'] as const;
const KNOWN = new Set<string>([...TIME_TAGS, ...COUNT_TAGS, 'atr', 'net', 'chty', 'md', 'om', 'fo']);

/** Checks the form of eventNotificationCriteria (4000 naming the element). */
export function checkCriteria(enc: unknown): EventNotificationCriteria {
  if (enc === null || typeof enc !== 'object' || Array.isArray(enc))
    bad('eventNotificationCriteria (enc) must be an object');
  const e = enc as Record<string, unknown>;
  for (const k of Object.keys(e)) if (!KNOWN.has(k)) bad(`eventNotificationCriteria (enc) has no element '${k}'`);
  for (const k of TIME_TAGS) if (e[k] !== undefined) parseTimestamp(e[k], `enc/${k}`);
  for (const k of COUNT_TAGS)
    if (e[k] !== undefined && !(Number.isInteger(e[k]) && (e[k] as number) >= 0))
      bad(`enc/${k} must be a non-negative integer`);
  if (e.net !== undefined) {
    const net = e.net;
    if (!Array.isArray(net) || net.length === 0 || net.length > 5)
      bad('enc/net (notificationEventType) must be a list of 1 to 5 event types');
    for (const n of net as unknown[])
      if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 8)
        bad(`enc/net value ${JSON.stringify(n)} is not an m2m:notificationEventType (1..8)`);
  }
  if (e.atr !== undefined && (!Array.isArray(e.atr) || e.atr.some((a) => typeof a !== 'string' || a === '')))
    bad('enc/atr (attribute) must be a list of attribute names');
  if (e.chty !== undefined && (!Array.isArray(e.chty) || e.chty.some((t) => !Number.isInteger(t) || t < 1)))
    bad('enc/chty (childResourceType) must be a list of resource types');
  if (e.fo !== undefined && e.fo !== 1 && e.fo !== 2) bad('enc/fo (filterOperation) must be 1 (AND) or 2 (OR)');
  if (e.om !== undefined) bad('enc/om (operationMonitor) is not supported by this CSE (docs/conformance.md)');
  return e as EventNotificationCriteria;
}

export function eventTypes(enc: EventNotificationCriteria | undefined): number[] {
  return enc?.net ?? [NotificationEventType.update];
}

const asNumber = (v: unknown) => (typeof v === 'number' ? v : undefined);

/**
 * Whether an event matches (7.5.1.2.2 Step 1.0): the event type; childResourceType for child events;
 * attribute for updates; the resource conditions on `resource`, combined by filterOperation.
 */
export function matches(
  enc: EventNotificationCriteria | undefined,
  net: number,
  resource: StoredResource,
  modified?: readonly string[],
): boolean {
  if (!eventTypes(enc).includes(net)) return false;
  if (!enc) return true;
  if ((net === 3 || net === 4) && enc.chty && !enc.chty.includes(resource.ty)) return false;
  const results: boolean[] = [];
  if ((net === 1 || net === 7) && enc.atr && modified) results.push(enc.atr.some((a) => modified.includes(a)));
  const t = (k: string) => (typeof resource[k] === 'string' ? (resource[k] as string) : undefined);
  const ts = (v: string) => parseTimestamp(v).getTime();
  const cmp = (attr: string, bound: string | undefined, before: boolean) => {
    if (bound === undefined) return;
    const v = t(attr);
    results.push(v !== undefined && (before ? ts(v) < ts(bound) : ts(v) >= ts(bound)));
  };
  cmp('ct', enc.crb, true);
  cmp('ct', enc.cra, false);
  cmp('lt', enc.ms, false);
  cmp('lt', enc.us, true);
  cmp('et', enc.exb, true);
  cmp('et', enc.exa, false);
  const st = asNumber(resource.st);
  if (enc.stb !== undefined) results.push(st !== undefined && st >= enc.stb); // 7.3.3.17.3: stb <= st
  if (enc.sts !== undefined) results.push(st !== undefined && st < enc.sts);
  const cs = asNumber(resource.cs);
  if (enc.sza !== undefined) results.push(cs !== undefined && cs >= enc.sza);
  if (enc.szb !== undefined) results.push(cs !== undefined && cs < enc.szb);
  if (results.length === 0) return true;
  return enc.fo === 2 ? results.some(Boolean) : results.every(Boolean);
}
