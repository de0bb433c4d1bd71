// Store latency without touching the store: the resource store's asynchronous methods, timed into the
// m2msec_store_operation_duration_seconds histogram. The store's own behaviour and errors pass unchanged.
import type { Metrics } from './metrics.js';

export function timeResourceStore<T extends object>(resources: T, metrics: Metrics): T {
  return new Proxy(resources, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const done = () =>
          metrics.storeDuration.observe({ operation: prop }, Number(process.hrtime.bigint() - started) / 1e9);
        return result.finally(done);
      };
    },
  });
}
