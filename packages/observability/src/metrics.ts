// The Prometheus metrics of one process (prom-client). Each program registers the same families, so a
// dashboard works for every role; label values are bounded (operation, status code, binding, framework,
// outcome, reason class), never an identifier a client chooses.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  app: string;
  /** Node process metrics (heap, event loop lag, file descriptors); default true. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  /** Requests by operation, response status code and binding (TS-0004 op, rsc). */
  readonly requests: Counter<'op' | 'rsc' | 'binding'>;
  readonly requestDuration: Histogram<'op' | 'binding'>;
  /** (D)TLS handshakes by security association framework and outcome. */
  readonly handshakes: Counter<'framework' | 'outcome'>;
  /** Refused requests and handshakes by reason class (4103, 4106, handshake, replay, ...). */
  readonly refusals: Counter<'reason'>;
  readonly replays: Counter<'framework'>;
  /** Enrolments (RSPF, EST, DSKPP, MAF) by framework and outcome. */
  readonly enrolments: Counter<'framework' | 'outcome'>;
  readonly notificationQueueDepth: Gauge;
  readonly storeDuration: Histogram<'operation'>;
  private readonly queueSources: Array<() => number> = [];

  /** Reports the notification queue depth of a CSE (its Notifier's queueDepth) at every scrape. */
  observeNotificationQueue(depth: () => number): void {
    this.queueSources.push(depth);
  }

  constructor(o: MetricsOptions) {
    this.registry.setDefaultLabels({ app: o.app });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'm2msec_requests_total',
      help: 'Requests handled, by operation, response status code and binding',
      labelNames: ['op', 'rsc', 'binding'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'm2msec_request_duration_seconds',
      help: 'Time from the binding handing the request over to the response',
      labelNames: ['op', 'binding'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.handshakes = new Counter({
      name: 'm2msec_handshakes_total',
      help: 'Security association handshakes by framework and outcome',
      labelNames: ['framework', 'outcome'],
      registers,
    });
    this.refusals = new Counter({
      name: 'm2msec_refusals_total',
      help: 'Refused requests and handshakes by reason',
      labelNames: ['reason'],
      registers,
    });
    this.replays = new Counter({
      name: 'm2msec_replay_rejections_total',
      help: 'Replays refused (DerivedKey sequence numbers, ESPrim nonces, single-use tokens)',
      labelNames: ['framework'],
      registers,
    });
    this.enrolments = new Counter({
      name: 'm2msec_enrolments_total',
      help: 'Enrolments and provisionings by framework and outcome',
      labelNames: ['framework', 'outcome'],
      registers,
    });
    const queue = this.queueSources;
    this.notificationQueueDepth = new Gauge({
      name: 'm2msec_notification_queue_depth',
      help: 'Notifications not sent yet (waiting for a slot of their target, or held in a batch)',
      registers,
      // Read at each scrape from the CSEs that report it, so the figure is never a stale copy.
      collect() {
        if (queue.length > 0) this.set(queue.reduce((n, f) => n + f(), 0));
      },
    });
    this.storeDuration = new Histogram({
      name: 'm2msec_store_operation_duration_seconds',
      help: 'Store operations by kind',
      labelNames: ['operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'm2msec_' });
  }
}
