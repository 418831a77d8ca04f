import { Writable } from 'node:stream';
import { createLogger } from '@photospots/service';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { LazyRequestLogger } from '../src/http/lazy-request-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

describe('LazyRequestLogger', () => {
  it('makes the child logger only when something is logged at an enabled level, with the bindings and redaction', () => {
    const { lines, stream } = capture();
    const parent = createLogger('query-api', 'warn', stream);
    const child = vi.spyOn(parent, 'child');
    const log = new LazyRequestLogger(parent, { reqId: 'req-7' }, {});
    log.info('not at warn');
    log.debug({ a: 1 }, 'nor this');
    expect(child).not.toHaveBeenCalled();
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    log.warn({ authorization: 'Bearer secret-token' }, 'slow answer');
    log.error('failed');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.msg, l.reqId, l.authorization])).toEqual([
      ['slow answer', 'req-7', '[redacted]'],
      ['failed', 'req-7', undefined],
    ]);
  });

  it('honours a route-level log level and serves as Fastify request logger', async () => {
    const { lines, stream } = capture();
    const parent = createLogger('query-api', 'warn', stream);
    const app = Fastify({
      loggerInstance: parent as FastifyBaseLogger,
      disableRequestLogging: true,
      childLoggerFactory: (logger, bindings, options) =>
        new LazyRequestLogger(logger as never, bindings, options) as unknown as FastifyBaseLogger,
    });
    app.get('/quiet', (request, reply) => {
      request.log.info('info on a warn route');
      request.log.warn('warn on a warn route');
      reply.send('ok');
    });
    app.get('/chatty', { logLevel: 'debug' }, (request, reply) => {
      request.log.debug('debug on a debug route');
      reply.send('ok');
    });
    await app.inject('/quiet');
    await app.inject('/chatty');
    await app.close();
    expect(lines.map((l) => l.msg)).toEqual(['warn on a warn route', 'debug on a debug route']);
    expect(lines.every((l) => typeof l.reqId === 'string')).toBe(true);
  });
});
