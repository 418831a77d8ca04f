/**
 * The embedded database of `npm start`: PGlite (Postgres compiled to WASM)
 * with PostGIS, pg_trgm and unaccent, its data in a local folder, served on the loopback
 * interface over the Postgres wire protocol (pglite-socket's connection
 * handler), so the services connect to it with their ordinary DATABASE_URL.
 *
 * Every connection shares PGlite's single backend: statements run one at a
 * time, a transaction holds the backend until it ends (ExchangeQueue). Correct
 * for our SQL, slower than a real server under concurrent load
 * (`npm run bench:embedded-postgis`).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { PGLiteSocketHandler, PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { ExchangeQueue } from './pglite-exchange-queue.ts';

export interface EmbeddedPostgis {
  /** postgres:// URL of the socket server. */
  url: string;
  stop(): Promise<void>;
}

/** Connections accepted at once: the four services' pools, CLIs and the launcher. */
const MAX_CONNECTIONS = 100;

/** Opens (or creates) the database in `dataDir` and serves it on 127.0.0.1:`port` (0 = any free port). */
export async function startEmbeddedPostgis(dataDir: string, port = 0): Promise<EmbeddedPostgis> {
  // Loaded here, not at the top: importing this lib (the test harness does, for its preload) stays cheap.
  const [{ PGlite }, { pg_trgm }, { unaccent }, { postgis }, { PGLiteSocketHandler }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/unaccent'),
    import('@electric-sql/pglite-postgis'),
    import('@electric-sql/pglite-socket'),
  ]);
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: { postgis, pg_trgm, unaccent } });
  const queue = new ExchangeQueue(db) as unknown as PGLiteSocketHandlerOptions['queryQueue'];
  const handlers = new Set<PGLiteSocketHandler>();

  const server = createServer((socket: Socket) => {
    if (handlers.size >= MAX_CONNECTIONS) {
      socket.end();
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue: queue, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers].map((h) => h.detach(true)));
      await closed;
      await db.close();
    },
  };
}
