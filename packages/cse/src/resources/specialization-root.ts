// A <mgmtObj> / <flexContainer> UPDATE must name the specialization the resource was created as
// (TS-0004 7.4.15, 7.4.37.2.3: validated against the resource's own definition).
import { M2MError, ResponseStatusCode, rootNameOfResource } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';

export function checkSpecializationRoot(ctx: RequestContext, current: StoredResource): void {
  const expected = rootNameOfResource(current);
  const root = Object.keys((ctx.req.pc ?? {}) as object)[0];
  if (root !== expected) {
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `content root '${root}' does not match the resource's specialization (expected ${expected})`,
    );
  }
}
