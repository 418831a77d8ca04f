/**
 * `npm run bench:tiles`: vector tiles from the query API beside PostGIS's own.
 *
 * On the stack of bench:api (the Dresden sample loaded through the pipeline
 * into bench_photospots_api, kept between runs; --reload rebuilds it; the API
 * as a separate process with production settings), every tile covering the
 * active hotspots' box at zooms 10–16 is asked of GET /v1/tiles/{z}/{x}/{y}.mvt
 * over HTTP (keep-alive, no compression), and the same tiles are cut by PostGIS
 * from the same hotspots with one SQL query each (ST_TileEnvelope, ST_AsMVTGeom,
 * ST_AsMVT): the hotspots layer with the same properties (not clustered:
 * PostGIS has no supercluster), the hulls layer from zoom 15, both with the
 * same 256-unit buffer. The two take turns (API, PostGIS, API, …), each round
 * the whole list BENCH_PASSES times at the same concurrency; the table gives
 * the medians of tiles/s and of p50/p99 latency, and the ratio of tiles/s. A
 * warm-up pass asks both for every tile and checks that their hulls layers
 * name the same hotspots.
 *
 * Env: BENCH_ROUNDS (5), BENCH_PASSES (5), BENCH_CONCURRENCY (32: connections
 * to the API, and the PostGIS pool). Needs Postgres+PostGIS and Redis.
 */
import { Agent, get } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { VectorTile } from '@mapbox/vector-tile';
import autocannon from 'autocannon';
import { PbfReader } from 'pbf';
import postgres from 'postgres';
import { benchLog as log, fmt, median, startApiStack } from './api-stack.ts';

const { values: args } = parseArgs({ options: { reload: { type: 'boolean' } } });
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Requests in flight: a map view alone asks for a dozen tiles or more at once. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const ZOOMS = [10, 11, 12, 13, 14, 15, 16];
/** The API's hulls layer starts here; so does the PostGIS query's. */
const HULLS_MIN_ZOOM = 15;

interface Tile {
  z: number;
  x: number;
  y: number;
}

/** Slippy-map tile column and row of a point. */
function tileOf(z: number, lat: number, lng: number): { x: number; y: number } {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  };
}

interface Round {
  tilesPerS: number;
  p50: number;
  p99: number;
}

/** Percentiles of latencies in ms. */
function summarize(latency: Float64Array, seconds: number): Round {
  latency.sort();
  return {
    tilesPerS: latency.length / seconds,
    p50: latency[Math.floor(latency.length * 0.5)]!,
    p99: latency[Math.floor(latency.length * 0.99)]!,
  };
}

/** Asks the API for every path once with autocannon (CONCURRENCY keep-alive connections). */
async function apiRound(apiUrl: string, paths: readonly string[]): Promise<Round> {
  let next = 0;
  const latency = new Float64Array(paths.length);
  let answered = 0;
  let failed = 0;
  let lastAnswerAt = 0;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: apiUrl,
        connections: CONCURRENCY,
        amount: paths.length,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
      },
      (err: unknown, res: autocannon.Result) => (err ? reject(err as Error) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status !== 200 && status !== 204) failed++;
      if (answered < latency.length) latency[answered++] = ms;
      lastAnswerAt = performance.now();
    });
  });
  if (failed > 0 || result.errors > 0)
    throw new Error(`the API answered ${failed} tiles with an error, ${result.errors} failed`);
  // Timed to the last answer: autocannon's own duration ends on its next one-second tick.
  return summarize(latency.subarray(0, answered), (lastAnswerAt - started) / 1000);
}

/** Asks for every tile once, CONCURRENCY at a time; `fetch` resolves to the tile's bytes. */
async function round(tiles: readonly Tile[], fetch: (t: Tile) => Promise<Uint8Array>): Promise<Round> {
  const latency = new Float64Array(tiles.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < tiles.length; i = next++) {
        const t0 = performance.now();
        await fetch(tiles[i]!);
        latency[i] = performance.now() - t0;
      }
    }),
  );
  return summarize(latency, (performance.now() - started) / 1000);
}

/** Hotspot ids in a tile's hulls layer, sorted. */
function hullIds(body: Uint8Array): number[] {
  if (body.byteLength === 0) return [];
  const layer = new VectorTile(new PbfReader(body)).layers.hulls;
  if (!layer) return [];
  return Array.from({ length: layer.length }, (_, i) => Number(layer.feature(i).properties.id)).sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const stack = await startApiStack({ reload: Boolean(args.reload) });
  const sql = postgres(stack.databaseUrl, { max: CONCURRENCY, onnotice: () => undefined });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const api = new URL(stack.apiUrl);
    const fromApi = (t: Tile) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const req = get(
          { host: api.hostname, port: api.port, path: `/v1/tiles/${t.z}/${t.x}/${t.y}.mvt`, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              res.statusCode === 200 || res.statusCode === 204
                ? resolve(Buffer.concat(chunks))
                : reject(new Error(`${req.path} answered ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
      });
    const margin = 256 / 4096;
    const fromPostgis = async (t: Tile) => {
      const [row] = await sql<{ tile: Uint8Array }[]>`
        with t as (
          select st_tileenvelope(${t.z}, ${t.x}, ${t.y}) as env,
                 st_transform(st_tileenvelope(${t.z}, ${t.x}, ${t.y}, margin => ${margin}), 4326) as grown
        ),
        points as (
          select st_asmvtgeom(st_transform(h.centroid::geometry, 3857), t.env, 4096, 256, true) as geom,
                 'hotspot' as kind, h.id, h.label, h.score, h.user_count as "userCount", h.photo_count as "photoCount"
          from hotspots h, t
          where h.status = 'active' and h.centroid && t.grown::geography
          order by h.score desc, h.id
        ),
        hulls as (
          select st_asmvtgeom(st_transform(h.hull::geometry, 3857), t.env, 4096, 256, true) as geom,
                 h.id, h.label, h.score
          from hotspots h, t
          where ${t.z} >= ${HULLS_MIN_ZOOM} and h.status = 'active' and h.hull::geometry && t.grown
          order by h.score desc, h.id
        )
        select coalesce((select st_asmvt(p, 'hotspots', 4096, 'geom') from points p where p.geom is not null), '')
            || coalesce((select st_asmvt(h, 'hulls', 4096, 'geom') from hulls h where h.geom is not null), '') as tile`;
      return row!.tile;
    };

    const [b] = await sql<{ minLng: number; minLat: number; maxLng: number; maxLat: number }[]>`
      select min(lng) as "minLng", min(lat) as "minLat", max(lng) as "maxLng", max(lat) as "maxLat"
      from hotspots where status = 'active'`;
    const tiles: Tile[] = [];
    for (const z of ZOOMS) {
      const nw = tileOf(z, b!.maxLat, b!.minLng);
      const se = tileOf(z, b!.minLat, b!.maxLng);
      for (let y = nw.y; y <= se.y; y++) for (let x = nw.x; x <= se.x; x++) tiles.push({ z, x, y });
    }
    const paths = tiles.map((t) => `/v1/tiles/${t.z}/${t.x}/${t.y}.mvt`);
    const perZoom = ZOOMS.map((z) => `z${z}: ${tiles.filter((t) => t.z === z).length}`).join(', ');
    log(`${stack.active} active hotspots; ${tiles.length} tiles (${perZoom}); concurrency ${CONCURRENCY}`);

    // Warm-up, the mean size of a non-empty tile, and a check that both cut the same hulls into the same tiles.
    const sizes = { api: [] as number[], postgis: [] as number[] };
    const mismatches: string[] = [];
    await round(tiles, async (t) => {
      const [a, p] = [await fromApi(t), await fromPostgis(t)];
      if (a.byteLength > 0) sizes.api.push(a.byteLength);
      if (p.byteLength > 0) sizes.postgis.push(p.byteLength);
      const [ah, ph] = [hullIds(a), hullIds(p)];
      if (t.z >= HULLS_MIN_ZOOM && JSON.stringify(ah) !== JSON.stringify(ph))
        mismatches.push(`${t.z}/${t.x}/${t.y}: API [${ah.join(',')}], PostGIS [${ph.join(',')}]`);
      return a;
    });
    const mean = (s: number[]) => fmt(s.reduce((n, b) => n + b, 0) / Math.max(1, s.length));
    log(`non-empty tiles: API ${sizes.api.length}, PostGIS ${sizes.postgis.length}`);
    log(`hulls layer: ${mismatches.length} tiles name different hotspots in API and PostGIS ${mismatches.join('; ')}`);

    const loadBefore = loadavg()[0]!;
    const apiRounds: Round[] = [];
    const pgRounds: Round[] = [];
    // Each round asks for the list PASSES times, so a round lasts long enough to measure.
    const repeated = Array.from({ length: PASSES }, () => tiles).flat();
    const repeatedPaths = Array.from({ length: PASSES }, () => paths).flat();
    for (let r = 0; r < ROUNDS; r++) {
      apiRounds.push(await apiRound(stack.apiUrl, repeatedPaths));
      pgRounds.push(await round(repeated, fromPostgis));
      log(
        `round ${r + 1}: API ${fmt(apiRounds[r]!.tilesPerS)} tiles/s, PostGIS ${fmt(pgRounds[r]!.tilesPerS)} tiles/s`,
      );
    }
    const row = (name: string, rounds: Round[], key: keyof typeof sizes) => [
      name,
      fmt(median(rounds.map((x) => x.tilesPerS))),
      median(rounds.map((x) => x.p50)).toFixed(2),
      median(rounds.map((x) => x.p99)).toFixed(2),
      `${mean(sizes[key])} B`,
    ];
    const ratio = median(apiRounds.map((a, r) => a.tilesPerS / pgRounds[r]!.tilesPerS));
    console.log(
      `\nvector tiles, zooms ${ZOOMS[0]}–${ZOOMS.at(-1)} over the Dresden sample (${tiles.length} tiles, ${stack.active} hotspots): ` +
        `medians of ${ROUNDS} alternating rounds of ${PASSES} passes, concurrency ${CONCURRENCY}; load average ${loadBefore.toFixed(1)} → ` +
        `${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
    );
    const header = ['source', 'tiles/s', 'p50 ms', 'p99 ms', 'non-empty tile (mean, uncompressed)'];
    console.log(`| ${header.join(' | ')} |`);
    console.log(`| ${header.map(() => '---').join(' | ')} |`);
    console.log(`| ${row('query API (HTTP)', apiRounds, 'api').join(' | ')} |`);
    console.log(`| ${row('PostGIS ST_AsMVT (SQL)', pgRounds, 'postgis').join(' | ')} |`);
    console.log(`\nAPI / PostGIS tiles/s: ${ratio.toFixed(1)}× (goal ≥ 3×; API p99 goal < 20 ms)`);
  } finally {
    agent.destroy();
    await sql.end();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
