import { describe, expect, it } from 'vitest';
import { namePlace, TagCounter, type TagStats } from '../src/index.ts';

/** Builds tag statistics: `groups` of photographers, each using the given tags. */
function counter(groups: [number, string[]][], prefix: string): TagCounter {
  const c = new TagCounter();
  let u = 0;
  for (const [n, tags] of groups) for (let i = 0; i < n; i++) c.add(`${prefix}${u++}`, tags);
  return c;
}

/** Surroundings that include the place itself plus other photographers. */
function around(place: [number, string[]][], others: [number, string[]][]): TagStats {
  return counter([...place, ...others], 'p');
}

describe('namePlace', () => {
  const city: [number, string[]][] = [
    [300, ['dresden', 'germany']],
    [80, ['dresden', 'elbe']],
    [40, ['zwinger']],
    [30, ['semperoper']],
  ];

  it('names a place by its most distinctive name, never by the city or a generic word', () => {
    const place: [number, string[]][] = [
      [30, ['dresden', 'frauenkirche', 'church']],
      [10, ['dresden', 'church', 'night']],
    ];
    const name = namePlace(counter(place, 'p'), around(place, city), around(place, [[10, ['dresden']]]));
    expect(name.label).toBe('Frauenkirche');
    expect(name.topTags.slice(0, 2).sort()).toEqual(['church', 'frauenkirche']);
    expect(name.topTags).not.toContain('dresden');
  });

  it('names two sights at one spot together', () => {
    const place: [number, string[]][] = [
      [20, ['fürstenzug']],
      [15, ['hofkirche']],
      [5, ['fürstenzug', 'hofkirche']],
    ];
    expect(namePlace(counter(place, 'p'), around(place, city), around(place, [])).label).toBe('Fürstenzug · Hofkirche');
  });

  it('qualifies a broad name (a river) with what is special right here', () => {
    const place: [number, string[]][] = [
      [20, ['elbe', 'river']],
      [8, ['elbe', 'carolabrücke']],
    ];
    // The river is tagged all along its banks: far more around the city than right here.
    const cityWithRiver = around(place, [...city, [200, ['elbe', 'river']]]);
    const local = around(place, [[5, ['elbe']]]);
    expect(namePlace(counter(place, 'p'), cityWithRiver, local).label).toBe('Elbe · Carolabrücke');
  });

  it("does not name a place after one photographer's stray tag, and gives no label when nothing names it", () => {
    const place: [number, string[]][] = [
      [1, ['berlin', 'train']],
      [2, ['train', 'bahnhof']],
    ];
    expect(namePlace(counter(place, 'p'), around(place, city), around(place, [])).label).toBeNull();
  });

  it('takes only a word of two photographers or more into the label', () => {
    // A small place: one of its three photographers wrote "schillerplatz", two "loschwitz".
    const place: [number, string[]][] = [
      [1, ['schillerplatz', 'loschwitz']],
      [1, ['loschwitz']],
      [1, ['tram']],
    ];
    expect(namePlace(counter(place, 'p'), around(place, city), around(place, [])).label).toBe('Loschwitz');
    const oneOnly: [number, string[]][] = [
      [1, ['schillerplatz']],
      [2, ['tram']],
    ];
    expect(namePlace(counter(oneOnly, 'p'), around(oneOnly, city), around(oneOnly, [])).label).toBeNull();
    // The same word from a second photographer makes it the name.
    const two: [number, string[]][] = [
      [2, ['schillerplatz']],
      [2, ['tram']],
    ];
    expect(namePlace(counter(two, 'p'), around(two, city), around(two, [])).label).toBe('Schillerplatz');
  });

  it('never names a place by a code, though the code stays among its top tags', () => {
    const place: [number, string[]][] = [
      [12, ['brn', 'concert']],
      [6, ['brn', 'alaunstrasse']],
      [4, ['dsc', 'eos5d']],
    ];
    const name = namePlace(counter(place, 'p'), around(place, city), around(place, []));
    expect(name.label).toBe('Alaunstrasse');
    expect(name.topTags).toContain('brn');
  });

  it('tells two neighbouring places named after the same river apart', () => {
    // Two spots on the river, 300 m apart, both most distinctive for "elbe" against the city, which lies
    // mostly along that river (so "elbe" is not broad there); each also shows its own sight.
    const bridge: [number, string[]][] = [
      [30, ['elbe', 'river']],
      [6, ['elbe', 'augustusbrücke']],
      [4, ['elbe', 'semperoper']],
    ];
    const bank: [number, string[]][] = [
      [15, ['elbe', 'river']],
      [8, ['elbe', 'frauenkirche']],
      [2, ['elbe', 'semperoper']],
    ];
    const riverCity: [number, string[]][] = [
      [200, ['dresden']],
      [30, ['frauenkirche']],
      [30, ['semperoper']],
    ];
    const city = around([...bridge, ...bank], riverCity);
    const local = around([...bridge, ...bank], [[100, ['dresden']]]);
    const b = counter(bridge, 'b');
    const k = counter(bank, 'k');
    // Named alone, each is just the river.
    expect(namePlace(b, city, local).label).toBe('Elbe');
    expect(namePlace(k, city, local).label).toBe('Elbe');
    // Named apart from the other, each adds what the other lacks.
    expect(namePlace(b, city, local, {}, k).label).toBe('Elbe · Augustusbrücke');
    expect(namePlace(k, city, local, {}, b).label).toBe('Elbe · Frauenkirche');
  });

  it('names a place apart from its neighbour by its next own name when nothing qualifies the shared one', () => {
    // The neighbour has the same words: none sets this place apart.
    const place: [number, string[]][] = [
      [10, ['elbe']],
      [8, ['elbe', 'terrassenufer']],
    ];
    const neighbour = counter([[20, ['elbe', 'terrassenufer']]], 'n');
    const city = around(place, [[300, ['dresden']]]);
    expect(namePlace(counter(place, 'p'), city, city, {}, neighbour).label).toBe('Terrassenufer');
  });

  it('treats a translation used by the same photographers as the same name', () => {
    const place: [number, string[]][] = [
      [20, ['blaueswunder', 'bluewonder']],
      [2, ['blaueswunder']],
    ];
    expect(namePlace(counter(place, 'p'), around(place, city), around(place, [])).label).toBe('Blaueswunder');
  });
});
