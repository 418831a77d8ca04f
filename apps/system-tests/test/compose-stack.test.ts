import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@photospots/test-harness';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * `npm run compose:check` on the container engine there is (Docker, or Podman
 * set up by PHOTOSPOTS_PODMAN_SETUP): every image built, the stack up, the
 * Dresden sample imported through the ingest container, `nearby` answered by
 * the query-api container, and nothing left after `down -v`. Without an engine
 * the check says why in one line, and this test is skipped. npm test runs this
 * file alone, after the others (tools/test.ts).
 */

/** tools/containers/compose-check.ts: exit code when no engine can be had. */
const SKIPPED_EXIT_CODE = 3;
const APPS = ['ingest', 'migrate', 'processing', 'query-api', 'scoring'];

interface Report {
  standIns: boolean;
  steps: { step: string; seconds: number }[];
  images: { service: string; image: string; megabytes: number }[];
  imported: { rowsRead: number; inserted: number; rejected: number };
  nearby: { items: number; first: { label: string; userCount: number; photoCount: number } };
  mapPage: { path: string; status: number; bytes: number }[];
  readiness: { service: string; status: number }[];
  restarts: { container: string; count: number }[];
  leftovers: string[];
}

const dir = mkdtempSync(path.join(tmpdir(), 'photospots-compose-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run compose:check', () => {
  it(
    'builds every image, runs the stack on the Dresden sample, answers nearby and the map, and leaves nothing behind',
    { timeout: 60 * 60_000 },
    async (ctx) => {
      const reportFile = path.join(dir, 'report.json');
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [path.join(REPO_ROOT, 'tools/containers/compose-check.ts'), '--json', reportFile],
          {
            cwd: REPO_ROOT,
            maxBuffer: 64 * 1024 * 1024,
            env: { ...process.env, PHOTOSPOTS_COMPOSE_PROJECT: 'photospots-check-test' },
          },
          (_err, stdout, stderr) => resolve({ code: child.exitCode, output: `${stdout}${stderr}` }),
        );
      });
      console.log(output.trimEnd());
      if (code === SKIPPED_EXIT_CODE) return ctx.skip(output.trim().split('\n').at(-1));
      expect(code, output).toBe(0);

      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
      const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
        services: Record<string, unknown>;
      };
      // An image for every service of the compose file, each app's its own.
      expect(report.images.map((i) => i.service).sort()).toEqual(Object.keys(compose.services).sort());
      for (const app of APPS) {
        const image = report.images.find((i) => i.service === app)!;
        expect(image.image, app).toContain(`photospots-check-test-${app}`);
        expect(image.megabytes, app).toBeGreaterThan(0);
      }
      if (report.standIns)
        expect(report.images.find((i) => i.service === 'localstack')!.image).toContain('localstack-stand-in');
      expect(report.steps.map((s) => s.step)).toEqual([
        'build every image',
        'up (healthy, migrate done)',
        'migrate job',
        'import the Dresden sample (ingest)',
        'nearby answers at the Frauenkirche',
        'the map page, MapLibre and a vector tile from the image',
        'readiness of every service',
        'down -v',
      ]);
      expect(report.imported).toEqual({ rowsRead: 17_879, inserted: 17_879, rejected: 0 });
      expect(report.nearby.items).toBeGreaterThan(0);
      expect(report.nearby.first.label).toMatch(/frauenkirche/i);
      expect(report.nearby.first.userCount).toBeGreaterThan(100);
      expect(report.mapPage.map((c) => c.status)).toEqual([200, 200, 200, 200]);
      expect(report.mapPage[0]!.path).toBe('/');
      expect(report.mapPage.at(-1)!.path).toMatch(/^\/v1\/tiles\/14\/\d+\/\d+\.mvt$/);
      expect(report.readiness).toEqual(
        ['ingest', 'processing', 'scoring', 'query-api'].map((service) => ({ service, status: 200 })),
      );
      expect(report.restarts.length).toBe(Object.keys(compose.services).length);
      expect(report.restarts.filter((r) => r.count > 0)).toEqual([]);
      expect(report.leftovers).toEqual([]);
    },
  );
});
