// <schedule> (TS-0004 7.4.9, TS-0001 9.6.9): time windows as m2m:scheduleEntry crontab lines (7 fields,
// UTC), checked when written. Under a <subscription> the Hosting CSE sends notifications only inside the
// windows (TS-0001 9.6.9); under a <node> (when it can use the Underlying Network) and the <CSEBase>
// (when the CSE is available) it is information for the node and for peers. networkCoordinated (nco)
// applies to a <node>'s schedule only: elsewhere 4102 CONTENTS_UNACCEPTABLE (7.4.9.2.1 / 7.4.9.2.3).
import { AccessControlRuleError, compileScheduleEntry, requestTime } from '@m2msec/authorization';
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';

type Matcher = ReturnType<typeof compileScheduleEntry>;

function compileEntries(se: unknown): Matcher[] {
  const sce = (se as { sce?: unknown } | undefined)?.sce;
  if (!Array.isArray(sce) || sce.length === 0) {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'scheduleElement (se) must list at least one entry (sce)');
  }
  try {
    return sce.map((e, i) => compileScheduleEntry(e, `scheduleElement (se) sce[${i}]`));
  } catch (e) {
    if (e instanceof AccessControlRuleError) throw new M2MError(ResponseStatusCode.BAD_REQUEST, e.message);
    throw e;
  }
}

function checkNetworkCoordinated(parent: StoredResource | undefined, attrs: Record<string, unknown>): void {
  if ('nco' in attrs && parent?.ty !== ResourceType.node) {
    throw new M2MError(
      ResponseStatusCode.CONTENTS_UNACCEPTABLE,
      'networkCoordinated (nco) applies only to the schedule of a <node>',
    );
  }
}

export const scheduleHandler: ResourceTypeHandler = {
  ty: ResourceType.schedule,
  // TS-0004 child tables: CSEBase (7.4.3.1-4), node (7.4.18.1-4), subscription (7.4.8.1-4).
  parents: [ResourceType.CSEBase, ResourceType.node, ResourceType.subscription],
  hasAcpi: true,
  idPrefix: 'sch',
  create({ parent, attrs }) {
    compileEntries(attrs.se);
    checkNetworkCoordinated(parent, attrs);
  },
  async update(ctx: RequestContext, current, changes) {
    if ('se' in changes) compileEntries(changes.se);
    if ('nco' in changes) checkNetworkCoordinated(await ctx.store.resources.get(current.pi), changes);
  },
};

/** Whether a notification of `sub` may be sent at `now`: no <schedule> child, or one of its windows is open. */
export async function inNotificationSchedule(
  store: Pick<RequestContext['store'], 'resources'>,
  sub: StoredResource,
  now: Date,
): Promise<boolean> {
  const schedules = await store.resources.children(sub.ri, { ty: [ResourceType.schedule] });
  if (schedules.length === 0) return true;
  const t = requestTime(now);
  return schedules.some((s) => compileEntries(s.se).some((m) => m(t)));
}
