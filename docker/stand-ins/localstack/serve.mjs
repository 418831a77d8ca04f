// fauxqs on FAUXQS_PORT (all interfaces), without its per-request log lines.
import { startFauxqs } from 'fauxqs';

await startFauxqs({ port: Number(process.env.FAUXQS_PORT), logger: false });
