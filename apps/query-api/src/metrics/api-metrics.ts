import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  /** Connections of this process's pool by state (from pg_stat_activity); throws when the database is down. */
  dbConnections(): Promise<{ state: string; count: number }[]>;
  dbPoolMax: number;
  indexedHotspots(): number | undefined;
  /** The in-process index's refreshes so far, by kind (full loads, patches). */
  indexRefreshes(): Readonly<Record<'full' | 'patch', number>>;
  changeFeed(): string;
  redisState(): string;
}

/**
 * The API's Prometheus metrics, in a registry of its own (several apps in one
 * test process do not collide): request counts and latency by route, response
 * cache hits and misses, the database pool, the in-process index.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #requests = new RequestStats([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  readonly #cache: Counter<'route' | 'result'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'photospots_api_' });
    this.#cache = new Counter({
      name: 'photospots_api_cache_requests_total',
      help: 'Response cache lookups by route and result (hit_memory, hit_redis, miss).',
      labelNames: ['route', 'result'],
      registers: [this.registry],
    });
  }

  /** Registers the gauges read at scrape time. */
  observe(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'photospots_api_db_pool_connections',
      help: "Open connections of this process's Postgres pool by state.",
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const row of await sources.dbConnections()) this.set({ state: row.state }, row.count);
        } catch {
          // Database down: no samples; /readyz says why.
        }
      },
    });
    new Gauge({
      name: 'photospots_api_db_pool_max',
      help: "Maximum connections of this process's Postgres pool.",
      registers,
    }).set(sources.dbPoolMax);
    new Gauge({
      name: 'photospots_api_index_hotspots',
      help: 'Active hotspots in the in-process index (absent while it cannot serve).',
      registers,
      collect() {
        this.reset();
        const n = sources.indexedHotspots();
        if (n !== undefined) this.set(n);
      },
    });
    new Counter({
      name: 'photospots_api_index_refreshes_total',
      help: 'Refreshes of the in-process index: full loads (start, safety net, feeds coming up) and patches.',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, n] of Object.entries(sources.indexRefreshes())) this.inc({ kind }, n);
      },
    });
    new Gauge({
      name: 'photospots_api_index_feed',
      help: '1 for the change feed keeping the in-process index fresh (redis, postgres or none).',
      labelNames: ['feed'],
      registers,
      collect() {
        this.reset();
        this.set({ feed: sources.changeFeed() }, 1);
      },
    });
    new Gauge({
      name: 'photospots_api_redis_up',
      help: '1 when Redis answers, 0 when it is down; absent when not configured.',
      registers,
      collect() {
        this.reset();
        const s = sources.redisState();
        if (s !== 'absent') this.set(s === 'up' ? 1 : 0);
      },
    });
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.record(method, route, status, seconds);
  }

  /** The request statistics of one (method, route pattern), for a hook bound to its route. */
  route(method: string, route: string): RouteStats {
    return this.#requests.forRoute(method, route);
  }

  /** Everything in the Prometheus text format: the registry's metrics and the request counts and latencies. */
  async text(): Promise<string> {
    const registered = await this.registry.metrics();
    return `${registered.endsWith('\n') ? registered : `${registered}\n`}${this.#requests.text()}`;
  }

  cacheHit(route: string, level: 'memory' | 'redis'): void {
    this.#cache.inc({ route, result: level === 'memory' ? 'hit_memory' : 'hit_redis' });
  }

  cacheMiss(route: string): void {
    this.#cache.inc({ route, result: 'miss' });
  }
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Request counts by (method, route, status) and a latency histogram by
 * (method, route), kept in plain numbers and rendered at scrape time in the
 * Prometheus text format. prom-client hashes the labels on every observation,
 * which cost a visible share of the nearby route's throughput
 * (docs/benchmarks.md).
 */
class RequestStats {
  readonly #bounds: number[];
  readonly #routes = new Map<string, RouteStats>();

  constructor(bounds: number[]) {
    this.#bounds = bounds;
  }

  record(method: string, route: string, status: number, seconds: number): void {
    this.forRoute(method, route).record(status, seconds);
  }

  /** The statistics of one (method, route pattern): a hook that knows its route records without building a key per request. */
  forRoute(method: string, route: string): RouteStats {
    const key = `${method} ${route}`;
    let stats = this.#routes.get(key);
    if (!stats) {
      stats = new RouteStats(method, route, this.#bounds);
      this.#routes.set(key, stats);
    }
    return stats;
  }

  text(): string {
    const counter = 'photospots_api_http_requests_total';
    const histogram = 'photospots_api_http_request_duration_seconds';
    const lines = [`# HELP ${counter} HTTP requests by method, route pattern and status.`, `# TYPE ${counter} counter`];
    for (const r of this.#routes.values())
      for (const c of r.statuses.values()) lines.push(`${counter}{${c.labels}} ${c.n}`);
    lines.push(
      `# HELP ${histogram} HTTP request latency by method and route pattern.`,
      `# TYPE ${histogram} histogram`,
    );
    for (const { duration: d } of this.#routes.values()) {
      if (d.count === 0) continue;
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += d.buckets[i]!;
        lines.push(`${histogram}_bucket{le="${bound}",${d.labels}} ${cumulative}`);
      });
      lines.push(
        `${histogram}_bucket{le="+Inf",${d.labels}} ${d.count}`,
        `${histogram}_sum{${d.labels}} ${d.sum}`,
        `${histogram}_count{${d.labels}} ${d.count}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Counts by status and the latency histogram of one (method, route pattern). */
export class RouteStats {
  readonly statuses = new Map<number, { labels: string; n: number }>();
  readonly duration: { labels: string; buckets: Float64Array; sum: number; count: number };
  readonly #bounds: number[];
  readonly #labels: string;

  constructor(method: string, route: string, bounds: number[]) {
    this.#bounds = bounds;
    this.#labels = `method="${escapeLabel(method)}",route="${escapeLabel(route)}"`;
    this.duration = { labels: this.#labels, buckets: new Float64Array(bounds.length), sum: 0, count: 0 };
  }

  record(status: number, seconds: number): void {
    let count = this.statuses.get(status);
    if (!count) {
      count = { labels: `${this.#labels},status="${status}"`, n: 0 };
      this.statuses.set(status, count);
    }
    count.n++;
    const d = this.duration;
    for (let i = 0; i < this.#bounds.length; i++) {
      if (seconds <= this.#bounds[i]!) {
        d.buckets[i]!++;
        break;
      }
    }
    d.sum += seconds;
    d.count++;
  }
}
