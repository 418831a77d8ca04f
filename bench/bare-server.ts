/**
 * The baseline of the API benchmark: a bare Fastify server (no plugins, no
 * hooks) answering GET /bare/<name> with a fixed JSON object of the same size
 * as the API's answer for <name>. BARE_BODIES names a JSON file of
 * { name: body }; PORT the port.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodies = JSON.parse(readFileSync(process.env.BARE_BODIES!, 'utf8')) as Record<string, unknown>;
const app = Fastify({ logger: false });
for (const [name, body] of Object.entries(bodies)) app.get(`/bare/${name}`, async () => body);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
