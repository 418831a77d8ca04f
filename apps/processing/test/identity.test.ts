import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { offsetMeters } from '@photospots/geo';
import { createTestEnv, seedPhotos, type SeedPhoto, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProcessing, type Processing } from '../src/app.ts';
import { loadProcessingConfig } from '../src/config.ts';
import { markTilesDirty } from '@photospots/db';

let env: TestEnv;
let processing: Processing;
const ORIGIN = { lat: 51.06, lng: 13.8 };

/** `users` photographers, `each` photos apiece, at `eastM` metres east of the origin (spread a few metres). */
function group(name: string, eastM: number, users: number, each = 2, spreadM = 6, tags = [name]): SeedPhoto[] {
  const out: SeedPhoto[] = [];
  for (let u = 0; u < users; u++) {
    for (let k = 0; k < each; k++) {
      const p = offsetMeters(
        ORIGIN.lat,
        ORIGIN.lng,
        ((u * 7 + k * 3) % 11) * (spreadM / 10) - spreadM / 2,
        eastM + ((u * 5 + k) % 9) * (spreadM / 8) - spreadM / 2,
      );
      out.push({
        sourceId: `${name}-${u}-${k}`,
        ownerId: `${name}-user-${u}`,
        lat: p.lat,
        lng: p.lng,
        tags,
        takenAt: new Date(Date.UTC(2024, 4, 1 + u)),
      });
    }
  }
  return out;
}

async function active() {
  return env.database.sql<{ id: number; lng: number; photo_count: number; label: string | null }[]>`
    select id, lng, photo_count, label from hotspots where status = 'active' order by lng`;
}

async function addAndRebuild(photos: SeedPhoto[]) {
  const tiles = await seedPhotos(env.database.sql, photos);
  await markTilesDirty(env.database.sql, tiles);
  await processing.rebuildDirty();
  await processing.flushOutbox();
}

async function changes() {
  const out = [];
  for (;;) {
    const r = await env.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.queues.url.hotspotsChanged,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!).payload));
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  processing = buildProcessing(loadProcessingConfig(env.serviceEnv()), {
    database: env.database,
    sqs: env.sqs,
    queues: env.queues,
    log: pino({ level: 'silent' }),
  });
});
beforeEach(async () => {
  await env.truncate();
  await changes();
});
afterAll(async () => {
  await processing.stop();
  await env.close();
});

describe('hotspot identity across re-clustering', () => {
  it('merges two places into one when a crowd fills the gap: one keeps its id, the other retires into it, favorites follow', async () => {
    await addAndRebuild([...group('west', 0, 6), ...group('east', 100, 6)]);
    const [west, east] = await active();
    expect([west?.photo_count, east?.photo_count]).toEqual([12, 12]);
    await env.database.sql`insert into users (id) values ('alice')`;
    await env.database.sql`insert into favorites (user_id, hotspot_id) values ('alice', ${east!.id})`;
    await changes();

    await addAndRebuild(group('middle', 50, 30));
    const after = await active();
    expect(after).toHaveLength(1);
    const survivor = after[0]!;
    expect([west!.id, east!.id]).toContain(survivor.id);
    expect(survivor.photo_count).toBe(84);
    const retiredId = survivor.id === west!.id ? east!.id : west!.id;
    const [retired] = await env.database.sql<
      { status: string; successor_id: number }[]
    >`select status, successor_id from hotspots where id = ${retiredId}`;
    expect(retired).toEqual({ status: 'retired', successor_id: survivor.id });
    const favs = await env.database.sql<
      { hotspot_id: number }[]
    >`select hotspot_id from favorites where user_id = 'alice'`;
    expect(favs).toEqual([{ hotspot_id: survivor.id }]);
    expect(await changes()).toEqual([
      {
        createdIds: [],
        changedIds: [survivor.id],
        retiredIds: [retiredId],
        merges: [{ retiredId, intoId: survivor.id }],
        splits: [],
      },
    ]);
  });

  it('splits a place when a sharper peak grows inside it: the old id stays with the larger part, the new one is announced as a split', async () => {
    // A place whose popularity fades over 120 m: one hotspot, peaking at its west end.
    await addAndRebuild([
      ...group('g0', 0, 10, 1, 6, ['place']),
      ...group('g40', 40, 6, 1, 6, ['place']),
      ...group('g80', 80, 4, 1, 6, ['place']),
      ...group('g120', 120, 3, 1, 6, ['place']),
    ]);
    const before = await active();
    expect(before).toHaveLength(1);
    await changes();

    // A crowd gathers at its east end.
    await addAndRebuild(group('crowd', 130, 40, 1, 6, ['crowd']));
    const after = await active();
    expect(after).toHaveLength(2);
    expect(after.map((h) => h.id)).toContain(before[0]!.id);
    const added = after.find((h) => h.id !== before[0]!.id)!;
    const [message] = await changes();
    expect(message.splits).toEqual([{ fromId: before[0]!.id, newId: added.id }]);
    expect(message.createdIds).toEqual([added.id]);
    expect(message.changedIds).toEqual([before[0]!.id]);
  });

  it('counts a burst (one photographer, one spot, many shots) as one photographer and one user-day', async () => {
    const burst: SeedPhoto[] = Array.from({ length: 200 }, (_, i) => {
      const p = offsetMeters(ORIGIN.lat, ORIGIN.lng, (i % 10) - 5, ((i * 3) % 10) - 5);
      return {
        sourceId: `burst-${i}`,
        ownerId: 'burster',
        lat: p.lat,
        lng: p.lng,
        tags: ['pond'],
        takenAt: new Date(Date.UTC(2024, 4, 1, 10, i % 60)),
      };
    });
    // Two more photographers: three people are not enough when one of them is a burst of 200… they are
    // three people, so it is a (small) hotspot — with 3 users and 3 user-days, not 200.
    await addAndRebuild([...burst, ...group('friend', 0, 2, 1, 6, ['pond'])]);
    const [row] = await env.database.sql<{ photo_count: number; user_count: number; user_days: number }[]>`
      select photo_count, user_count, user_days from hotspots where status = 'active'`;
    expect(row).toEqual({ photo_count: 202, user_count: 3, user_days: 3 });
  });
});
