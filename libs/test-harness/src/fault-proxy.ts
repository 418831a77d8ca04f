import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service (Postgres, Redis, the SQS endpoint)
 * that a test can cut and restore: while cut, every connection is dropped and
 * new ones are refused — what a restart, a failover or a network partition
 * looks like to the services — while the service keeps its state.
 */
export interface FaultProxy {
  port: number;
  /** The target URL with host and port replaced by the proxy's. */
  url(targetUrl: string): string;
  /**
   * Drops every connection and refuses new ones until `restore()`. By default the service sees each
   * connection closed (FIN); with `reset` it sees ECONNRESET (RST), as after a failover or a load balancer's reset.
   */
  cut(options?: { reset?: boolean }): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetHost: string, targetPort: number): Promise<FaultProxy> {
  let cut = false;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
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
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (targetUrl) => {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString().replace(/\/$/, targetUrl.endsWith('/') ? '/' : '');
    },
    cut: (options = {}) => {
      cut = true;
      for (const [client, upstream] of pairs) {
        if (options.reset) client.resetAndDestroy();
        else client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore: () => {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut = true;
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
