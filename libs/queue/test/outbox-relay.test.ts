import { waitFor } from '@photospots/test-harness';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startOutboxRelay, type MessagePublisher, type OutboxDrain } from '../src/index.ts';

/** An outbox of `rows` rows, and what was sent from it. */
function outbox(rows: number) {
  let left = rows;
  const sent: unknown[] = [];
  const publisher = {
    sendRaw: async (_queue: string, bodies: unknown[]) => {
      sent.push(...bodies);
    },
  } as unknown as MessagePublisher;
  return {
    sent,
    publisher,
    drain: (async (limit, send) => {
      const n = Math.min(limit, left);
      left -= n;
      if (n > 0) await send(Array.from({ length: n }, (_, i) => ({ id: i, queue: 'hotspotsChanged', body: i })));
      return n;
    }) satisfies OutboxDrain,
  };
}

describe('the outbox relay', () => {
  it('drains in the background on its interval', async () => {
    const box = outbox(3);
    const relay = startOutboxRelay({
      drain: box.drain,
      publisher: box.publisher,
      log: pino({ level: 'silent' }),
      intervalMs: 20,
    });
    await waitFor(() => box.sent.length === 3, { timeoutMs: 5_000, message: 'the background drain' });
    await relay.stop();
  });

  it('with no interval (under Lambda), sends only when flushed', async () => {
    const box = outbox(250);
    const relay = startOutboxRelay({
      drain: box.drain,
      publisher: box.publisher,
      log: pino({ level: 'silent' }),
      intervalMs: 0,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(box.sent).toHaveLength(0);
    expect(await relay.flush()).toBe(250);
    expect(box.sent).toHaveLength(250);
    await relay.stop();
  });
});
