/**
 * `npm run eval:sweep -- --set NAME=v1,v2 [--set NAME2=…]`: re-clusters and
 * scores the Dresden sample for every combination of the given processing
 * settings (any CLUSTER_* / NAMING_* variable) and prints the landmark
 * evaluation of each, one row per combination.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluate, meetsTargets, type EvalHotspot, type LandmarkFile } from './evaluate.ts';
import { startLocalPipeline } from './local-pipeline.ts';

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true } } });
const axes = (values.set ?? []).map((s) => {
  const [name, list] = s.split('=') as [string, string];
  return { name, values: list.split(',') };
});
const combos = axes.reduce<Record<string, string>[]>(
  (acc, axis) => acc.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v }))),
  [{}],
);
const landmarks = JSON.parse(readFileSync('data/landmarks/dresden.json', 'utf8')) as LandmarkFile;
const pipeline = await startLocalPipeline({
  adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: 'photospots_eval',
  reuse: true,
});
try {
  if (pipeline.fresh) await pipeline.run('apps/ingest/src/cli.ts', ['import', 'data/flickr-dresden-cc-by.csv']);
  const pct = (x: number) => `${Math.round(x * 100)}%`.padStart(5);
  console.log(
    `${axes.map((a) => a.name.padEnd(26)).join('')}hotspots recall labels display generic20 distinct20 dup20 nonword20 avoided shared unnamed    ms  all-targets`,
  );
  for (const combo of combos) {
    await pipeline.database.sql`truncate hotspot_photos, hotspots, dirty_tiles, outbox restart identity cascade`;
    const started = performance.now();
    await pipeline.run('apps/processing/src/cli.ts', ['rebuild'], combo);
    const ms = Math.round(performance.now() - started);
    await pipeline.run('apps/scoring/src/cli.ts', ['rescore']);
    const hotspots = await pipeline.database.sql<EvalHotspot[]>`
      select id, label, lat, lng, score, user_count as "userCount", photo_count as "photoCount" from hotspots where status = 'active'`;
    const r = evaluate(hotspots, landmarks);
    console.log(
      `${axes.map((a) => combo[a.name]!.padEnd(26)).join('')}${String(r.hotspots).padStart(8)} ${pct(r.recall)}  ${pct(r.labelsCorrect)}   ${pct(r.displayNamesCorrect)}     ${pct(r.genericShareTop20)}     ${String(r.distinctLabelsTop20).padStart(6)} ${String(r.duplicateLabelsTop20).padStart(5)} ${String(r.nonWordLabelsTop20).padStart(9)}  ${r.avoidedInTop20.every((a) => a.rank === null) ? '   yes' : '    NO'}  ${pct(r.sharedLabelShare)}   ${pct(r.unlabelledShare)} ${String(ms).padStart(5)}  ${meetsTargets(r) ? 'yes' : 'no'}`,
    );
  }
} finally {
  await pipeline.close();
}
