import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startHealthServer } from '../src/health-server.ts';

describe('the health server', () => {
  it('on port 0 takes a free port and writes it to HEALTH_PORT_FILE, where /readyz answers', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'photospots-health-'));
    const portFile = path.join(dir, 'worker.health-port');
    const servers = await Promise.all(
      [0, 1].map((k) =>
        startHealthServer({
          port: 0,
          host: '127.0.0.1',
          portFile: `${portFile}.${k}`,
          log: pino({ level: 'silent' }),
          checks: { database: async () => undefined },
        }),
      ),
    );
    try {
      for (const [k, server] of servers.entries()) {
        const written = Number((await readFile(`${portFile}.${k}`, 'utf8')).trim());
        expect(written).toBe(server.port);
        const res = await fetch(`http://127.0.0.1:${written}/readyz`);
        expect(res.status).toBe(200);
      }
      expect(servers[0]!.port).not.toBe(servers[1]!.port);
      // Written whole: nothing but the two files is left behind.
      expect((await readdir(dir)).sort()).toEqual(['worker.health-port.0', 'worker.health-port.1']);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
