import { hotspotsChanged, type PayloadOf } from '@photospots/contracts';
import { enqueueOutbox, tryLockTiles, type Sql } from '@photospots/db';
import { planClusterJobs, runClusterJob, type PeopleCluster, type PeopleClusterParams } from '@photospots/geo';
import type { MessagePublisher } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import { DisplayLexicon, type TagVariants } from '@photospots/tags';
import { claimLocks, claimReachOf } from '../dirty-tiles/claim.ts';
import { clearDirtyTiles, dirtyVersions, DirtyTilePool, type Settling } from '../dirty-tiles/dirty-tile-repository.ts';
import { matchIdentities } from '../hotspots/identity-matching.ts';
import {
  insertHotspots,
  loadActiveHotspots,
  replaceMemberships,
  retireHotspots,
  sameHotspot,
  updateHotspots,
} from '../hotspots/hotspot-repository.ts';
import { distinguishNearbyLabels } from '../naming/distinct-labels.ts';
import { LocalTagBackground } from '../naming/local-tag-background.ts';
import { loadPhotoTitles } from '../naming/photo-titles.ts';
import {
  clusterTags,
  describeCluster,
  nameCandidate,
  type HotspotCandidate,
  type NamingOptions,
} from './hotspot-candidate.ts';
import { loadWindowPhotos, photosInWindow, type WindowPhotos } from './window-photos.ts';

export interface RebuildDeps {
  sql: Sql;
  publisher: MessagePublisher;
  params: PeopleClusterParams;
  naming: NamingOptions;
  maxTilesPerRun: number;
  log: Logger;
}

export interface RebuildResult {
  tilesClaimed: number;
  areaTiles: number;
  photosRead: number;
  created: number;
  changed: number;
  unchanged: number;
  retired: number;
  merges: number;
  splits: number;
  durationMs: number;
  /** Another worker held part of the area: nothing was done, and the caller tries again shortly. */
  contended?: boolean;
}

const EMPTY_RESULT: RebuildResult = {
  tilesClaimed: 0,
  areaTiles: 0,
  photosRead: 0,
  created: 0,
  changed: 0,
  unchanged: 0,
  retired: 0,
  merges: 0,
  splits: 0,
  durationMs: 0,
};

/** Ids per hotspots.changed message, keeping each well under the SQS size limit. */
const IDS_PER_MESSAGE = 5_000;

type ChangedPayload = PayloadOf<typeof hotspotsChanged>;

function chunkChanges(p: ChangedPayload): ChangedPayload[] {
  const total = p.createdIds.length + p.changedIds.length + p.retiredIds.length;
  if (total <= IDS_PER_MESSAGE) return [p];
  const out: ChangedPayload[] = [];
  const slice = <T>(a: T[], i: number) => a.slice(i * IDS_PER_MESSAGE, (i + 1) * IDS_PER_MESSAGE);
  const parts = Math.ceil(
    Math.max(p.createdIds.length, p.changedIds.length, p.retiredIds.length, p.merges.length, p.splits.length) /
      IDS_PER_MESSAGE,
  );
  for (let i = 0; i < parts; i++) {
    out.push({
      createdIds: slice(p.createdIds, i),
      changedIds: slice(p.changedIds, i),
      retiredIds: slice(p.retiredIds, i),
      merges: slice(p.merges, i),
      splits: slice(p.splits, i),
    });
  }
  return out;
}

/**
 * Re-clusters one claim of dirty tiles in a single transaction: the tiles and
 * their neighbours (the area a new photo can influence) are locked, clustered
 * from the photos of their windows, matched to the stored hotspots they own,
 * and written; hotspots.changed goes to the outbox with the same commit.
 * Returns null when nothing is dirty.
 */
export interface RebuildOptions {
  /** Name every hotspot afresh (the full rebuild); otherwise only those whose photos changed. */
  relabelAll?: boolean;
  /** Which dirty tiles may be claimed now (default: every one). */
  settling?: Settling;
  /**
   * Where the claim's tiles come from: one pool for a pass of claims reads the dirty tiles once, not once a
   * claim (default: a pool for this claim alone, of `settling`).
   */
  pool?: DirtyTilePool;
}

const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function rebuildDirtyTiles(
  deps: RebuildDeps,
  correlationId: string,
  options: RebuildOptions = {},
): Promise<RebuildResult | null> {
  const started = performance.now();
  return deps.sql.begin(async (tx) => {
    // Dirty tiles are not row-locked (ingest keeps marking tiles dirty while a long rebuild runs):
    // the area is locked instead, and the tiles are read again once it is held. A tile another
    // worker rebuilt meanwhile is no longer dirty and is skipped.
    // A photo changes clusters up to the clustering margin away: those tiles are re-clustered.
    // Its hotspots' members reach further, into hotspots of tiles it does not re-cluster: those tiles are
    // locked shared, so no other worker re-clusters them meanwhile, and two workers never write the same
    // photo's membership (in opposite orders, each would wait for the other: a deadlock).
    const reach = claimReachOf(deps.params);
    const pool = options.pool ?? new DirtyTilePool(options.settling, reach);
    const peeked = await pool.peek(tx, deps.maxTilesPerRun);
    if (peeked.length === 0) return null;
    const { area, writes } = claimLocks(peeked, reach);
    // Without waiting: two workers that peeked at the same moment chose the same claim, and the one that
    // waited for the other's locks would find its tiles clean a whole pass later. The loser ends this
    // transaction at once (releasing what it locked) and peeks again, past the winner's locks.
    if (!(await tryLockTiles(tx, area, writes)))
      return { ...EMPTY_RESULT, contended: true, durationMs: Math.round(performance.now() - started) };
    pool.taken(peeked);
    const claimed = await dirtyVersions(tx, peeked);
    if (claimed.length === 0) return { ...EMPTY_RESULT, durationMs: Math.round(performance.now() - started) };

    // Windows reach further than the clustering needs, to the photos a hotspot's name is compared with.
    const jobs = planClusterJobs(area, deps.params, undefined, deps.naming.backgroundRadiusM + deps.params.bandwidthM);
    const all = await loadWindowPhotos(
      tx,
      jobs.map((j) => j.window),
    );
    const computed: HotspotCandidate[] = [];
    const sources: { cluster: PeopleCluster; photos: WindowPhotos }[] = [];
    for (const job of jobs) {
      const photos = photosInWindow(all, job.window);
      for (const cluster of runClusterJob(job, photos, deps.params)) {
        computed.push(describeCluster(cluster, photos));
        sources.push({ cluster, photos });
      }
    }

    const stored = await loadActiveHotspots(tx, area);
    const storedById = new Map(stored.map((s) => [s.id, s]));
    const plan = matchIdentities(stored, computed);

    // Naming compares a place with the photos around it, so it is the costly step: a place whose
    // photos did not change keeps its name. The full rebuild names everything afresh, each place once:
    // in the pass that claims its tile (it dirties every tile with photos or hotspots), not again in
    // the passes of its neighbours, whose areas overlap it.
    const claimedNow = new Set(claimed.map((c) => c.tile));
    // One background for the pass, over every photo it read: a place's surroundings depend only on the photos
    // within the background radius (each job's window holds all of those), so the jobs share it.
    let background: LocalTagBackground | undefined;
    const around = (lat: number, lng: number, radiusM: number, keys: readonly string[], variants?: TagVariants) =>
      (background ??= new LocalTagBackground(all)).around(lat, lng, radiusM, keys, variants);
    const named = new Set<number>();
    computed.forEach((candidate, ci) => {
      const keptId = plan.keep.get(ci);
      const previous = keptId === undefined ? undefined : storedById.get(keptId);
      const relabel = options.relabelAll && claimedNow.has(candidate.tile);
      if (!relabel && previous && sameIds(previous.photoIds, candidate.photoIds)) {
        candidate.label = previous.label;
        candidate.topTags = previous.topTags;
        return;
      }
      const { cluster, photos } = sources[ci]!;
      nameCandidate(candidate, cluster, photos, around, deps.naming);
      named.add(ci);
    });
    // Neighbours named alike (one river, one square) are told apart by what differs between them.
    distinguishNearbyLabels(computed, named, deps.naming.backgroundRadiusM, (ci, other) => {
      const { cluster, photos } = sources[ci]!;
      const neighbour = sources[other]!;
      const apart = clusterTags(neighbour.cluster, neighbour.photos);
      nameCandidate(computed[ci]!, cluster, photos, around, deps.naming, apart);
    });
    // Labels are named from tag keys; they are shown as people write them, from the words of every photo read.
    // Their photos' titles say how the photographers write those names.
    const labelled = [...named].map((ci) => computed[ci]!).filter((c) => c.label !== null);
    if (labelled.length > 0) {
      const lexicon = new DisplayLexicon();
      for (const tags of all.tags) lexicon.addTags(tags);
      const titles = await loadPhotoTitles(
        tx,
        labelled.flatMap((c) => c.photoIds),
      );
      for (const title of titles) lexicon.addTitle(title);
      for (const c of labelled) c.label = lexicon.displayLabel(c.label!);
    }

    const createdIds = await insertHotspots(
      tx,
      plan.create.map((c) => computed[c.candidate]!),
    );
    const idOfCandidate = new Map<number, number>(plan.keep);
    plan.create.forEach((c, i) => idOfCandidate.set(c.candidate, createdIds[i]!));

    await retireHotspots(
      tx,
      plan.retire.map((r) => ({
        id: r.id,
        successorId: r.intoCandidate === null ? null : idOfCandidate.get(r.intoCandidate)!,
      })),
    );

    const changed: { id: number; c: HotspotCandidate }[] = [];
    let unchanged = 0;
    for (const [ci, id] of plan.keep) {
      const c = computed[ci]!;
      if (sameHotspot(storedById.get(id)!, c)) unchanged++;
      else changed.push({ id, c });
    }
    changed.sort((a, b) => a.id - b.id);
    await updateHotspots(tx, changed);
    await replaceMemberships(
      tx,
      changed.map((u) => u.id),
      [
        ...changed.map((u) => ({ hotspotId: u.id, photoIds: u.c.photoIds })),
        ...plan.create.map((c, i) => ({ hotspotId: createdIds[i]!, photoIds: computed[c.candidate]!.photoIds })),
      ],
    );
    await clearDirtyTiles(tx, claimed);

    const payload: ChangedPayload = {
      createdIds,
      changedIds: changed.map((u) => u.id),
      retiredIds: plan.retire.map((r) => r.id),
      merges: plan.retire
        .filter((r) => r.intoCandidate !== null)
        .map((r) => ({ retiredId: r.id, intoId: idOfCandidate.get(r.intoCandidate!)! })),
      splits: plan.create
        .map((c, i) => ({ fromId: c.splitFrom, newId: createdIds[i]! }))
        .filter((s): s is { fromId: number; newId: number } => s.fromId !== null),
    };
    if (payload.createdIds.length + payload.changedIds.length + payload.retiredIds.length > 0) {
      for (const part of chunkChanges(payload)) {
        await enqueueOutbox(tx, hotspotsChanged.queue, deps.publisher.build(hotspotsChanged, part, { correlationId }));
      }
    }
    const result: RebuildResult = {
      tilesClaimed: claimed.length,
      areaTiles: area.length,
      photosRead: all.count,
      created: createdIds.length,
      changed: changed.length,
      unchanged,
      retired: plan.retire.length,
      merges: payload.merges.length,
      splits: payload.splits.length,
      durationMs: Math.round(performance.now() - started),
    };
    deps.log.info(result, 'tiles re-clustered');
    return result;
  });
}
