/**
 * `npm run eval:landmarks`: runs the pipeline on the Dresden sample (import,
 * full re-clustering, scoring — the same commands an operator runs) in a
 * scratch database, then prints recall, ranks and labels for the landmark list
 * in data/landmarks/dresden.json, and the quality of the top 20.
 *
 * Options: --reuse (keep an already imported scratch database), --json, --database NAME (the scratch
 * database, default photospots_eval; another name lets two evaluations run side by side), --hotspots-from URL
 * (evaluate the hotspots already in that database, as a running pipeline built them, and run nothing).
 * DATABASE_URL names the server (default: local Postgres). Exits 1 when a target is missed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, sharedEnv } from '@photospots/config';
import { createDatabase, type Queryable } from '@photospots/db';
import { evaluate, formatReport, meetsTargets, type EvalHotspot, type LandmarkFile } from './evaluate.ts';
import { startLocalPipeline } from './local-pipeline.ts';

const { values } = parseArgs({
  options: {
    reuse: { type: 'boolean' },
    json: { type: 'boolean' },
    database: { type: 'string', default: 'photospots_eval' },
    'hotspots-from': { type: 'string' },
  },
});
// The name goes into `drop database` / `create database` as it is.
if (!/^[a-z_][a-z0-9_]*$/.test(values.database)) throw new Error(`--database ${values.database}: use a-z, 0-9 and _`);
const landmarks = JSON.parse(readFileSync('data/landmarks/dresden.json', 'utf8')) as LandmarkFile;

async function report(sql: Queryable, timings: string[]): Promise<void> {
  const hotspots = await sql<EvalHotspot[]>`
    select id, label, lat, lng, score, user_count as "userCount", photo_count as "photoCount"
    from hotspots where status = 'active'`;
  const result = evaluate(hotspots, landmarks);
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`${landmarks.city}: ${timings.length > 0 ? timings.join(', ') : 'hotspots as stored'}`);
    console.log(formatReport(result));
  }
  process.exitCode = meetsTargets(result) ? 0 : 1;
}

if (values['hotspots-from']) {
  // DATABASE_POOL_MODE=transaction for a URL of a transaction pooler.
  const { DATABASE_POOL_MODE: poolMode } = loadConfig({ DATABASE_POOL_MODE: sharedEnv.DATABASE_POOL_MODE });
  const database = createDatabase(values['hotspots-from'], { max: 1, applicationName: 'eval', poolMode });
  try {
    await report(database.sql, []);
  } finally {
    await database.close();
  }
} else {
  const pipeline = await startLocalPipeline({
    adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    database: values.database,
    reuse: Boolean(values.reuse),
  });
  try {
    const timings: string[] = [];
    const timed = async (name: string, fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      timings.push(`${name} ${((performance.now() - t) / 1000).toFixed(1)} s`);
    };
    if (pipeline.fresh)
      await timed('import', () => pipeline.run('apps/ingest/src/cli.ts', ['import', 'data/flickr-dresden-cc-by.csv']));
    await timed('re-cluster', () => pipeline.run('apps/processing/src/cli.ts', ['rebuild']));
    await timed('score', () => pipeline.run('apps/scoring/src/cli.ts', ['rescore']));
    await report(pipeline.database.sql, timings);
  } finally {
    await pipeline.close();
  }
}
