/**
 * Scores a set of hotspots against a landmark list: recall within 150 m, rank
 * by score, whether the label names the landmark, and the quality of the top 20.
 * Pure: the CLI and the system test feed it hotspots from the database.
 */
import { haversineMeters } from '@photospots/geo';
import { isGenericTag, tagKey } from '@photospots/tags';

export interface Landmark {
  name: string;
  lat: number;
  lng: number;
  aliases: string[];
}

export interface AvoidArea {
  name: string;
  lat: number;
  lng: number;
  radiusM: number;
}

export interface LandmarkFile {
  city: string;
  source: string;
  landmarks: Landmark[];
  avoid: AvoidArea[];
}

export interface EvalHotspot {
  id: number;
  label: string | null;
  lat: number;
  lng: number;
  score: number;
  userCount: number;
  photoCount: number;
}

export interface LandmarkResult {
  landmark: string;
  found: boolean;
  distanceM: number | null;
  rank: number | null;
  label: string | null;
  labelNamesIt: boolean;
}

export interface EvalReport {
  hotspots: number;
  results: LandmarkResult[];
  recall: number;
  labelsCorrect: number;
  top20: { rank: number; label: string | null; generic: boolean; userCount: number }[];
  genericShareTop20: number;
  distinctLabelsTop20: number;
  avoidedInTop20: { name: string; rank: number | null }[];
  /** Share of labelled hotspots whose label another hotspot also has (lower reads better). */
  sharedLabelShare: number;
  /** Share of hotspots without a label. */
  unlabelledShare: number;
}

export const TARGETS = { recall: 0.9, labelsCorrect: 0.8, genericShareTop20: 0, distinctLabelsTop20: 17 } as const;

const RECALL_RADIUS_M = 150;

/** True when the label contains one of the landmark's names (compared as folded tag keys). */
export function labelNames(label: string | null, aliases: readonly string[]): boolean {
  if (!label) return false;
  const key = tagKey(label);
  return aliases.some((a) => key.includes(tagKey(a)));
}

export function evaluate(hotspots: readonly EvalHotspot[], file: LandmarkFile): EvalReport {
  const ranked = [...hotspots].sort((a, b) => b.score - a.score || a.id - b.id);
  const rankOf = new Map(ranked.map((h, i) => [h.id, i + 1]));
  const results = file.landmarks.map((lm): LandmarkResult => {
    const near = ranked
      .map((h) => ({ h, d: haversineMeters(lm.lat, lm.lng, h.lat, h.lng) }))
      .filter((x) => x.d <= RECALL_RADIUS_M);
    // The hotspot that names the landmark if one does, else the best-ranked one nearby.
    const pick = near.find((x) => labelNames(x.h.label, lm.aliases)) ?? near[0];
    return {
      landmark: lm.name,
      found: Boolean(pick),
      distanceM: pick ? Math.round(pick.d) : null,
      rank: pick ? rankOf.get(pick.h.id)! : null,
      label: pick?.h.label ?? null,
      labelNamesIt: pick ? labelNames(pick.h.label, lm.aliases) : false,
    };
  });
  const top = ranked.slice(0, 20);
  const top20 = top.map((h, i) => ({
    rank: i + 1,
    label: h.label,
    generic: !h.label || isGenericTag(h.label),
    userCount: h.userCount,
  }));
  return {
    hotspots: hotspots.length,
    results,
    recall: results.filter((r) => r.found).length / results.length,
    labelsCorrect: results.filter((r) => r.labelNamesIt).length / results.length,
    top20,
    genericShareTop20: top20.filter((t) => t.generic).length / Math.max(1, top20.length),
    distinctLabelsTop20: new Set(top20.map((t) => (t.label ? tagKey(t.label) : `#${t.rank}`))).size,
    sharedLabelShare: (() => {
      const counts = new Map<string, number>();
      for (const h of hotspots) if (h.label) counts.set(tagKey(h.label), (counts.get(tagKey(h.label)) ?? 0) + 1);
      const labelled = hotspots.filter((h) => h.label).length;
      return labelled === 0 ? 0 : hotspots.filter((h) => h.label && counts.get(tagKey(h.label))! > 1).length / labelled;
    })(),
    unlabelledShare: hotspots.filter((h) => !h.label).length / Math.max(1, hotspots.length),
    avoidedInTop20: file.avoid.map((a) => {
      const hit = top.findIndex((h) => haversineMeters(a.lat, a.lng, h.lat, h.lng) <= a.radiusM);
      return { name: a.name, rank: hit < 0 ? null : hit + 1 };
    }),
  };
}

/** A plain-text report with every figure and the targets. */
export function formatReport(r: EvalReport): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const lines: string[] = [];
  lines.push(`${r.hotspots} hotspots`);
  lines.push('');
  lines.push('landmark                       found  dist  rank  label');
  for (const x of r.results) {
    lines.push(
      `${x.landmark.padEnd(30)} ${x.found ? 'yes' : 'NO '}   ${String(x.distanceM ?? '-').padStart(4)}  ${String(x.rank ?? '-').padStart(4)}  ${x.label ?? '-'}${x.found && !x.labelNamesIt ? '   (label does not name it)' : ''}`,
    );
  }
  lines.push('');
  lines.push(
    'top 20 by score: ' +
      r.top20.map((t) => `${t.rank}. ${t.label ?? '(none)'}${t.generic ? ' [generic]' : ''}`).join(', '),
  );
  lines.push('');
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
  lines.push(
    `${mark(r.recall >= TARGETS.recall)} recall within 150 m        ${pct(r.recall)} (target ≥ ${pct(TARGETS.recall)})`,
  );
  lines.push(
    `${mark(r.labelsCorrect >= TARGETS.labelsCorrect)} labels naming the landmark  ${pct(r.labelsCorrect)} (target ≥ ${pct(TARGETS.labelsCorrect)})`,
  );
  lines.push(
    `${mark(r.genericShareTop20 <= TARGETS.genericShareTop20)} generic labels in top 20    ${pct(r.genericShareTop20)} (target 0%)`,
  );
  lines.push(
    `${mark(r.distinctLabelsTop20 >= TARGETS.distinctLabelsTop20)} distinct labels in top 20   ${r.distinctLabelsTop20} (target ≥ ${TARGETS.distinctLabelsTop20})`,
  );
  lines.push(
    `     labels shared by several hotspots ${pct(r.sharedLabelShare)}, hotspots without a label ${pct(r.unlabelledShare)}`,
  );
  for (const a of r.avoidedInTop20) {
    lines.push(`${mark(a.rank === null)} ${a.name}: ${a.rank === null ? 'not in the top 20' : `rank ${a.rank}`}`);
  }
  return lines.join('\n');
}

/** True when every target holds. */
export function meetsTargets(r: EvalReport): boolean {
  return (
    r.recall >= TARGETS.recall &&
    r.labelsCorrect >= TARGETS.labelsCorrect &&
    r.genericShareTop20 <= TARGETS.genericShareTop20 &&
    r.distinctLabelsTop20 >= TARGETS.distinctLabelsTop20 &&
    r.avoidedInTop20.every((a) => a.rank === null)
  );
}
