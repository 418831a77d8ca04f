/**
 * Scores a set of hotspots against a landmark list: recall within 150 m, rank
 * by score, whether the label names the landmark and spells it as people write
 * it, and the quality of the top 20 (generic, repeated and code-like labels).
 * Pure: the CLI and the parameter sweep feed it hotspots from the database.
 */
import { haversineMeters } from '@photospots/geo';
import { isGenericTag, tagKey } from '@photospots/tags';
import { isCodeLike } from './code-like.ts';

export interface Landmark {
  name: string;
  lat: number;
  lng: number;
  /** Tag spellings that name it, compared as folded tag keys. */
  aliases: string[];
  /** The name as a person writes it (spaces, capitals, diacritics), each accepted form. */
  display: string[];
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
  /** A segment of the label is one of the landmark's display forms. */
  labelDisplaysIt: boolean;
  /** The landmark's display forms, for the report. */
  display: string[];
}

export interface EvalReport {
  hotspots: number;
  results: LandmarkResult[];
  recall: number;
  labelsCorrect: number;
  /**
   * Of the landmarks whose hotspot's label names them, the share whose label shows the name as written (one
   * of its display forms). Whether a label names the landmark at all is labelsCorrect.
   */
  displayNamesCorrect: number;
  /** Landmarks whose label names them, and of those, the ones written as people write them. */
  named: number;
  displayed: number;
  top20: {
    rank: number;
    label: string | null;
    generic: boolean;
    /** A segment of the label is code-like. */
    codeLike: boolean;
    /** A better-ranked hotspot has the same label. */
    repeated: boolean;
    userCount: number;
  }[];
  genericShareTop20: number;
  distinctLabelsTop20: number;
  /** Top-20 hotspots whose label text an earlier one already has (one per extra occurrence). */
  duplicateLabelsTop20: number;
  /** Top-20 hotspots whose label has a code-like segment ("Brn", "D750", "2019"). */
  nonWordLabelsTop20: number;
  avoidedInTop20: { name: string; rank: number | null }[];
  /** Share of labelled hotspots whose label another hotspot also has (lower reads better). */
  sharedLabelShare: number;
  /** Share of hotspots without a label. */
  unlabelledShare: number;
}

export const TARGETS = { recall: 1, labelsCorrect: 0.88, genericShareTop20: 0, distinctLabelsTop20: 17 } as const;

/** Readability targets: how the labels read (issue: names people can read). */
export const READABILITY_TARGETS = {
  displayNamesCorrect: 0.9,
  duplicateLabelsTop20: 0,
  nonWordLabelsTop20: 0,
} as const;

const RECALL_RADIUS_M = 150;

/** True when the label contains one of the landmark's names (compared as folded tag keys). */
export function labelNames(label: string | null, aliases: readonly string[]): boolean {
  if (!label) return false;
  const key = tagKey(label);
  return aliases.some((a) => key.includes(tagKey(a)));
}

/** The names a label joins with " · ". */
export function labelSegments(label: string | null): string[] {
  return label ? label.split(' · ').map((s) => s.trim()) : [];
}

/** Case folded, nothing else: spaces, ß and diacritics stay significant (NFC, so é is é however it was typed). */
const caseless = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();

/** True when a segment of the label equals one of the display forms, case aside. */
export function labelDisplays(label: string | null, display: readonly string[]): boolean {
  const forms = new Set(display.map(caseless));
  return labelSegments(label).some((s) => forms.has(caseless(s)));
}

/**
 * For each label, whether one before it has the same text (case aside): the duplicates, one per extra
 * occurrence. A missing label repeats nothing.
 */
export function repeatedLabels(labels: readonly (string | null)[]): boolean[] {
  const seen = new Set<string>();
  return labels.map((l) => {
    if (!l) return false;
    const text = caseless(l);
    const again = seen.has(text);
    seen.add(text);
    return again;
  });
}

/** True when a segment of the label is code-like (see isCodeLike). */
export function isNonWordLabel(label: string | null): boolean {
  return labelSegments(label).some(isCodeLike);
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
      labelDisplaysIt: pick ? labelDisplays(pick.h.label, lm.display) : false,
      display: lm.display,
    };
  });
  const top = ranked.slice(0, 20);
  const repeated = repeatedLabels(top.map((h) => h.label));
  const top20 = top.map((h, i) => ({
    rank: i + 1,
    label: h.label,
    generic: !h.label || isGenericTag(h.label),
    codeLike: isNonWordLabel(h.label),
    repeated: repeated[i]!,
    userCount: h.userCount,
  }));
  return {
    hotspots: hotspots.length,
    results,
    recall: results.filter((r) => r.found).length / results.length,
    labelsCorrect: results.filter((r) => r.labelNamesIt).length / results.length,
    named: results.filter((r) => r.labelNamesIt).length,
    displayed: results.filter((r) => r.labelNamesIt && r.labelDisplaysIt).length,
    displayNamesCorrect:
      results.filter((r) => r.labelNamesIt && r.labelDisplaysIt).length /
      Math.max(1, results.filter((r) => r.labelNamesIt).length),
    top20,
    genericShareTop20: top20.filter((t) => t.generic).length / Math.max(1, top20.length),
    distinctLabelsTop20: new Set(top20.map((t) => (t.label ? tagKey(t.label) : `#${t.rank}`))).size,
    duplicateLabelsTop20: top20.filter((t) => t.repeated).length,
    nonWordLabelsTop20: top20.filter((t) => t.codeLike).length,
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
    const note = !x.found
      ? ''
      : !x.labelNamesIt
        ? '   (label does not name it)'
        : !x.labelDisplaysIt
          ? `   (not as written: ${x.display[0]})`
          : '';
    lines.push(
      `${x.landmark.padEnd(30)} ${x.found ? 'yes' : 'NO '}   ${String(x.distanceM ?? '-').padStart(4)}  ${String(x.rank ?? '-').padStart(4)}  ${x.label ?? '-'}${note}`,
    );
  }
  lines.push('');
  lines.push(
    'top 20 by score: ' +
      r.top20
        .map(
          (t) =>
            `${t.rank}. ${t.label ?? '(none)'}${t.generic ? ' [generic]' : ''}${t.codeLike ? ' [code-like]' : ''}${t.repeated ? ' [repeated]' : ''}`,
        )
        .join(', '),
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
  const T = READABILITY_TARGETS;
  lines.push(
    `${mark(r.displayNamesCorrect >= T.displayNamesCorrect)} display names as written     ${r.displayed} of ${r.named} named landmarks (${pct(r.displayNamesCorrect)}) (target ≥ ${pct(T.displayNamesCorrect)}); ${r.displayed} of all ${r.results.length}`,
  );
  lines.push(
    `${mark(r.duplicateLabelsTop20 <= T.duplicateLabelsTop20)} duplicate labels in top 20  ${r.duplicateLabelsTop20} (target ${T.duplicateLabelsTop20})`,
  );
  lines.push(
    `${mark(r.nonWordLabelsTop20 <= T.nonWordLabelsTop20)} non-word labels in top 20   ${r.nonWordLabelsTop20} (target ${T.nonWordLabelsTop20})`,
  );
  return lines.join('\n');
}

/** True when every target of TARGETS and READABILITY_TARGETS holds and the avoided areas stay out of the top 20. */
export function meetsTargets(r: EvalReport): boolean {
  return (
    r.displayNamesCorrect >= READABILITY_TARGETS.displayNamesCorrect &&
    r.duplicateLabelsTop20 <= READABILITY_TARGETS.duplicateLabelsTop20 &&
    r.nonWordLabelsTop20 <= READABILITY_TARGETS.nonWordLabelsTop20 &&
    r.recall >= TARGETS.recall &&
    r.labelsCorrect >= TARGETS.labelsCorrect &&
    r.genericShareTop20 <= TARGETS.genericShareTop20 &&
    r.distinctLabelsTop20 >= TARGETS.distinctLabelsTop20 &&
    r.avoidedInTop20.every((a) => a.rank === null)
  );
}
