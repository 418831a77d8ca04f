import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service (Postgres, Redis, the SQS endpoint)
 * that a test can cut, partition and restore while the service keeps its state:
 * - cut: every connection is dropped and new ones are refused, as a restart, a failover or a load balancer
 *   does it;
 * - partition: nothing is dropped, but nothing gets through either (existing connections go silent, new ones
 *   are accepted and never answered), as when a host vanishes without a word: every reply is lost.
 */
export interface FaultProxy {
  port: number;
  /** The target URL with host and port replaced by the proxy's. */
  url(targetUrl: string): string;
  /**
   * Drops every connection and refuses new ones until `restore()`. By default the service sees each
   * connection closed (FIN); with `reset` it sees ECONNRESET (RST).
   */
  cut(options?: { reset?: boolean }): void;
  /** Stops every byte, both ways, until `restore()`, which then drops the silent connections (as a timed-out link). */
  partition(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetHost: string, targetPort: number): Promise<FaultProxy> {
  let mode: 'open' | 'cut' | 'partitioned' = 'open';
  const pairs = new Set<[Socket, Socket]>();
  /** Connections accepted during a partition: held, never forwarded. */
  const held = new Set<Socket>();
  const server = createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    client.on('error', () => client.destroy());
    if (mode === 'partitioned') {
      held.add(client);
      client.on('close', () => held.delete(client));
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // Forwarded only while open (with backpressure): in a partition the bytes are read and dropped, so both
    // sides wait for good.
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (mode === 'open' && !to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const dropAll = (reset = false) => {
    for (const [client, upstream] of pairs) {
      if (reset) client.resetAndDestroy();
      else client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    for (const client of held) client.destroy();
    held.clear();
  };
  return {
    port,
    url: (targetUrl) => {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString().replace(/\/$/, targetUrl.endsWith('/') ? '/' : '');
    },
    cut: (options = {}) => {
      mode = 'cut';
      dropAll(options.reset);
    },
    partition: () => {
      mode = 'partitioned';
    },
    restore: () => {
      if (mode === 'partitioned') dropAll();
      mode = 'open';
    },
    close: () =>
      new Promise<void>((resolve) => {
        mode = 'cut';
        dropAll();
        server.close(() => resolve());
      }),
  };
}
