/**
 * `npm run docs:env`: regenerates the environment-variable table in
 * docs/configuration.md from the services' config schemas (the only source of
 * truth). A system test fails when the document and the schemas drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { envMarkdownTable, replaceEnvSection } from '@photospots/config';
import { ingestEnv } from '@photospots/ingest/config';
import { processingEnv } from '@photospots/processing/config';
import { queryApiEnv } from '@photospots/query-api/config';
import { scoringEnv } from '@photospots/scoring/config';

const DOC = 'docs/configuration.md';
const doc = readFileSync(DOC, 'utf8');
const next = replaceEnvSection(
  doc,
  envMarkdownTable({ ingest: ingestEnv, processing: processingEnv, scoring: scoringEnv, 'query-api': queryApiEnv }),
);
writeFileSync(DOC, next);
console.log(next === doc ? `${DOC}: env table already up to date` : `${DOC}: env table regenerated`);
