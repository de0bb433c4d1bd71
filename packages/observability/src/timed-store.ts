// Store latency without touching the store: the resource store's asynchronous methods, timed into the
// m2msec_store_operation_duration_seconds histogram. The store's own behaviour and errors pass unchanged.
import type { Metrics } from './metrics.js';

export function timeResourceStore<T extends object>(resources: T, metrics: Metrics): T {
  // One wrapper and one histogram child per method, made on first use (the hot path allocates nothing else).
  const wrapped = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy(resources, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let w = wrapped.get(prop);
      if (!w) {
        const histogram = metrics.storeDuration.labels({ operation: prop });
        const fn = value as (...a: unknown[]) => unknown;
        w = (...args: unknown[]) => {
          const started = process.hrtime.bigint();
          const result = fn.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.finally(() => histogram.observe(Number(process.hrtime.bigint() - started) / 1e9));
        };
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}
