// disableRetrieval (TS-0001 9.6.6, TS-0004 7.4.7.2.2): the <contentInstance>s of such a container are
// left out of discovery and of child-resource results, as a direct RETRIEVE of them is 4005.
import { ResourceType } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';

/** Per request: parents looked up once. */
export class RetrievalDisabled {
  private readonly parents = new Map<string, boolean>();
  constructor(private readonly ctx: RequestContext) {}

  async hides(r: StoredResource): Promise<boolean> {
    if (r.ty !== ResourceType.contentInstance) return false;
    let disabled = this.parents.get(r.pi);
    if (disabled === undefined) {
      disabled = (await this.ctx.store.resources.get(r.pi))?.disr === true;
      this.parents.set(r.pi, disabled);
    }
    return disabled;
  }
}
