import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envMarkdownTable, replaceEnvSection } from '@photospots/config';
import { ingestEnv } from '@photospots/ingest/config';
import { processingEnv } from '@photospots/processing/config';
import { queryApiEnv } from '@photospots/query-api/config';
import { scoringEnv } from '@photospots/scoring/config';
import { REPO_ROOT } from '@photospots/test-harness';
import { describe, expect, it } from 'vitest';

describe('documentation stays true to the code', () => {
  it('docs/configuration.md lists exactly the variables the config schemas read (regenerate with npm run docs:env)', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    const table = envMarkdownTable({
      ingest: ingestEnv,
      processing: processingEnv,
      scoring: scoringEnv,
      'query-api': queryApiEnv,
    });
    expect(replaceEnvSection(doc, table)).toBe(doc);
  });
});
