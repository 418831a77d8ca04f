import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { onUnhandledRejection } from '../src/lifecycle.ts';

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
  );
  return { log, lines };
}

describe('unhandled promise rejections', () => {
  it('logs a dropped connection (postgres.js and socket codes) and keeps the process alive', () => {
    for (const code of ['ECONNRESET', 'CONNECTION_CLOSED', 'EPIPE']) {
      const { log, lines } = capture();
      const exits: number[] = [];
      onUnhandledRejection(Object.assign(new Error(`read ${code}`), { code }), log, (c) => exits.push(c));
      expect(exits).toEqual([]);
      expect(lines).toMatchObject([{ level: 40 }]);
    }
  });

  it('treats any other unhandled rejection as a bug: logged as fatal, exit 1', () => {
    for (const reason of [
      new TypeError('x is undefined'),
      Object.assign(new Error('duplicate key'), { code: '23505' }),
      'a string',
      undefined,
    ]) {
      const { log, lines } = capture();
      const exits: number[] = [];
      onUnhandledRejection(reason, log, (c) => exits.push(c));
      expect(exits).toEqual([1]);
      expect(lines).toMatchObject([{ level: 60, msg: 'unhandled promise rejection' }]);
    }
  });
});
