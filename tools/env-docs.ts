/**
 * `npm run docs:env`: regenerates the environment-variable table in README.md
 * from the services' config schemas (the only source of truth). A system test
 * fails when the README and the schemas drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { envMarkdownTable, replaceEnvSection } from '@photospots/config';
import { ingestEnv } from '@photospots/ingest/config';
import { processingEnv } from '@photospots/processing/config';
import { queryApiEnv } from '@photospots/query-api/config';
import { scoringEnv } from '@photospots/scoring/config';

const readme = readFileSync('README.md', 'utf8');
const next = replaceEnvSection(
  readme,
  envMarkdownTable({ ingest: ingestEnv, processing: processingEnv, scoring: scoringEnv, 'query-api': queryApiEnv }),
);
writeFileSync('README.md', next);
console.log(next === readme ? 'README env table already up to date' : 'README env table regenerated');
