import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  /** Connections of this process's pool by state (from pg_stat_activity); throws when the database is down. */
  dbConnections(): Promise<{ state: string; count: number }[]>;
  dbPoolMax: number;
  indexedHotspots(): number | undefined;
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
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route'>;
  readonly #cache: Counter<'route' | 'result'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'photospots_api_' });
    this.#requests = new Counter({
      name: 'photospots_api_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'photospots_api_http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
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
      help: 'Open connections of this process\'s Postgres pool by state.',
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
    new Gauge({ name: 'photospots_api_db_pool_max', help: 'Maximum connections of this process\'s Postgres pool.', registers }).set(sources.dbPoolMax);
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

  /** Label children per (method, route, status), so a request costs a Map lookup, not a label hash. */
  readonly #children = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.#children.get(key);
    if (!child) {
      child = { count: this.#requests.labels(method, route, String(status)), duration: this.#duration.labels(method, route) };
      this.#children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }

  cacheHit(route: string, level: 'memory' | 'redis'): void {
    this.#cache.inc({ route, result: level === 'memory' ? 'hit_memory' : 'hit_redis' });
  }

  cacheMiss(route: string): void {
    this.#cache.inc({ route, result: 'miss' });
  }
}
