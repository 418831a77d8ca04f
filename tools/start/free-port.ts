import { createServer } from 'node:net';

/** Resolves with the port a listener got: `port` itself, or any free one for 0. Rejects when it is taken. */
export function claimablePort(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
}
