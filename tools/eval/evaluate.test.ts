import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  formatReport,
  isNonWordLabel,
  labelDisplays,
  labelNames,
  labelSegments,
  meetsTargets,
  repeatedLabels,
  type EvalHotspot,
  type LandmarkFile,
} from './evaluate.ts';

const FILE: LandmarkFile = {
  city: 'Test',
  source: 'test',
  landmarks: [
    {
      name: 'Goldener Reiter',
      lat: 51.0578,
      lng: 13.7414,
      aliases: ['goldener reiter', 'reiter'],
      display: ['Goldener Reiter'],
    },
    {
      name: 'Blaues Wunder',
      lat: 51.0519,
      lng: 13.8092,
      aliases: ['blaues wunder', 'blue wonder'],
      display: ['Blaues Wunder', 'Blue Wonder'],
    },
  ],
  avoid: [],
};

const OTHER_NAMES = [
  'Zwinger',
  'Semperoper',
  'Altmarkt',
  'Kreuzkirche',
  'Yenidze',
  'Albertinum',
  'Kunsthofpassage',
  'Hauptbahnhof',
  'Neumarkt',
  'Münzgasse',
  'Kulturpalast',
  'Carolabrücke',
  'Pillnitz',
  'Wasserspiel',
  'Brn',
  'zwinger',
  'Prager Straße · D750',
  'Frauenkirche',
  'Kunsthofpassage', // rank 21: out of the top 20
];

/** The two landmarks' hotspots first, then one far from both per name, in falling score. */
function hotspots(first: string, second: string | null): EvalHotspot[] {
  const at = (id: number, label: string | null, lat: number, lng: number): EvalHotspot => ({
    id,
    label,
    lat,
    lng,
    score: 1000 - id,
    userCount: 10,
    photoCount: 20,
  });
  return [
    at(1, first, 51.0578, 13.7414),
    at(2, second, 51.0519, 13.8092),
    ...OTHER_NAMES.map((name, i) => at(3 + i, name, 51.2 + i * 0.01, 13.5)),
  ];
}

describe('display names', () => {
  it('splits a label into its names', () => {
    expect(labelSegments('Blasewitz · Blaues Wunder')).toEqual(['Blasewitz', 'Blaues Wunder']);
    expect(labelSegments('Zwinger')).toEqual(['Zwinger']);
    expect(labelSegments(null)).toEqual([]);
  });
  it('accepts a segment equal to a display form, case aside', () => {
    expect(labelDisplays('Goldener Reiter', ['Goldener Reiter'])).toBe(true);
    expect(labelDisplays('GOLDENER reiter · Neustadt', ['Goldener Reiter'])).toBe(true);
    expect(labelDisplays('Blasewitz · Blue Wonder', ['Blaues Wunder', 'Blue Wonder'])).toBe(true);
    expect(labelDisplays('Fürstenzug'.normalize('NFD'), ['Fürstenzug'])).toBe(true);
  });
  it('refuses lost spaces, ß, umlauts and a name inside a longer segment', () => {
    expect(labelDisplays('Goldenerreiter', ['Goldener Reiter'])).toBe(false);
    expect(labelDisplays('Blasewitz · Blaueswunder', ['Blaues Wunder'])).toBe(false);
    expect(labelDisplays('Pragerstrase', ['Prager Straße'])).toBe(false);
    expect(labelDisplays('Prager Strasse', ['Prager Straße'])).toBe(false);
    expect(labelDisplays('Grosser Garten', ['Großer Garten'])).toBe(false);
    expect(labelDisplays('Furstenzug', ['Fürstenzug'])).toBe(false);
    expect(labelDisplays('Blaues Wunder Loschwitz', ['Blaues Wunder'])).toBe(false);
    expect(labelDisplays(null, ['Zwinger'])).toBe(false);
  });
  it('names a landmark by folded key whether or not it is spelt as written', () => {
    expect(labelNames('Goldenerreiter', ['goldener reiter'])).toBe(true);
    expect(labelNames('Goldener Reiter', ['goldener reiter'])).toBe(true);
  });
});

describe('duplicate and non-word labels', () => {
  it('counts each extra occurrence of a label text, case aside, and no missing label', () => {
    const labels = ['Elbe', 'Zwinger', 'elbe', null, null, 'Elbe · Carolabrücke', 'Elbe'];
    expect(repeatedLabels(labels)).toEqual([false, false, true, false, false, false, true]);
    expect(repeatedLabels([])).toEqual([]);
  });
  it('calls a label non-word when any of its names is code-like', () => {
    expect(isNonWordLabel('Brn')).toBe(true);
    expect(isNonWordLabel('Prager Straße · D750')).toBe(true);
    expect(isNonWordLabel('Elbe · Carolabrücke')).toBe(false);
    expect(isNonWordLabel(null)).toBe(false);
  });
});

describe('evaluate', () => {
  it('reports display names, duplicates and non-word labels of the top 20', () => {
    const report = evaluate(hotspots('Goldenerreiter', 'Blasewitz · Blaues Wunder'), FILE);
    expect(report.results.map((r) => [r.landmark, r.labelNamesIt, r.labelDisplaysIt])).toEqual([
      ['Goldener Reiter', true, false],
      ['Blaues Wunder', true, true],
    ]);
    expect(report.displayNamesCorrect).toBe(0.5);
    expect(report.duplicateLabelsTop20).toBe(1);
    expect(report.nonWordLabelsTop20).toBe(2);
    expect(report.top20.filter((t) => t.repeated).map((t) => t.label)).toEqual(['zwinger']);
    expect(report.top20.filter((t) => t.codeLike).map((t) => t.label)).toEqual(['Brn', 'Prager Straße · D750']);
  });
  it('prints the readability figures with their targets', () => {
    const text = formatReport(evaluate(hotspots('Goldenerreiter', 'Blasewitz · Blaues Wunder'), FILE));
    expect(text).toContain('MISS display names as written     1 of 2 named landmarks (50%) (target ≥ 90%); 1 of all 2');
    expect(text).toContain('MISS duplicate labels in top 20  1 (target 0)');
    expect(text).toContain('MISS non-word labels in top 20   2 (target 0)');
    expect(text).toContain('Goldenerreiter   (not as written: Goldener Reiter)');
    expect(text).toMatch(/17\. Brn( \[generic\])? \[code-like\]/);
    expect(text).toContain('18. zwinger [repeated]');
  });
  it('fails on any readability target missed', () => {
    const names = [...OTHER_NAMES.slice(0, 14), 'Frauenkirche'];
    const clean = hotspots('Goldener Reiter', 'Blaues Wunder').slice(0, 2);
    const report = evaluate(
      [
        ...clean,
        ...names.map((label, i) => ({ ...clean[0]!, id: 3 + i, label, lat: 51.2 + i * 0.01, score: 900 - i })),
      ],
      FILE,
    );
    expect(meetsTargets(report)).toBe(true);
    expect(meetsTargets({ ...report, displayNamesCorrect: 0.8 })).toBe(false);
    expect(meetsTargets({ ...report, duplicateLabelsTop20: 1 })).toBe(false);
    expect(meetsTargets({ ...report, nonWordLabelsTop20: 1 })).toBe(false);
    expect(meetsTargets({ ...report, labelsCorrect: 0.5 })).toBe(false);
    expect(meetsTargets({ ...report, recall: 17 / 18 })).toBe(false);
  });
  it('counts every landmark shown as written', () => {
    const report = evaluate(hotspots('Goldener Reiter', 'Blue Wonder · Blaues Wunder'), FILE);
    expect(report.displayNamesCorrect).toBe(1);
    expect(formatReport(report)).toContain('ok   display names as written     2 of 2 named landmarks (100%)');
  });

  it('judges how a name is written only where the label names the landmark', () => {
    // The bridge's hotspot is unnamed: a miss of labelsCorrect, not of the display names.
    const report = evaluate(hotspots('Goldener Reiter', null), FILE);
    expect([report.named, report.displayed, report.displayNamesCorrect, report.labelsCorrect]).toEqual([1, 1, 1, 0.5]);
    expect(formatReport(report)).toContain('1 of 1 named landmarks (100%) (target ≥ 90%); 1 of all 2');
  });
});

describe('data/landmarks/dresden.json', () => {
  const file = JSON.parse(
    readFileSync(new URL('../../data/landmarks/dresden.json', import.meta.url), 'utf8'),
  ) as LandmarkFile;
  it('gives every landmark display forms that its aliases name', () => {
    for (const lm of file.landmarks) {
      expect(lm.display.length, lm.name).toBeGreaterThan(0);
      for (const form of lm.display) expect(labelNames(form, lm.aliases), `${lm.name}: ${form}`).toBe(true);
    }
  });
});
