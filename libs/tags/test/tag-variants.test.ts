import { describe, expect, it } from 'vitest';
import { languageOf, tagKey, TagCounter, tagVariants, type TagStats } from '../src/index.ts';

/** Photographers in groups, each group using the given tags. */
function counter(groups: [number, string[]][], prefix = 'p'): TagCounter {
  const c = new TagCounter();
  let u = 0;
  for (const [n, tags] of groups) for (let i = 0; i < n; i++) c.add(`${prefix}${u++}`, tags);
  return c;
}

/** Surroundings holding the place and `others` more photographers. */
const around = (place: [number, string[]][], others: [number, string[]][] = []): TagStats =>
  counter([...place, ...others]);

describe('spelling variants', () => {
  it('share a key: ß, ss and s; umlauts and accents; joined and separate words; case', () => {
    const keys = (...tags: string[]) => new Set(tags.map(tagKey));
    expect(keys('Prager Straße', 'pragerstrasse', 'pragerstrase', 'prager strasse')).toHaveLength(1);
    expect(keys('Großer Garten', 'grossergarten', 'grosergarten')).toHaveLength(1);
    expect(keys('Brühlsche Terrasse', 'bruhlscheterrasse', 'brühlsche terrase')).toHaveLength(1);
    expect(keys('Café Prag', 'cafeprag')).toHaveLength(1);
    const place = counter([
      [3, ['pragerstrase']],
      [2, ['prager straße']],
    ]);
    expect(place.usersWith(tagKey('Prager Straße'))).toBe(5);
  });

  it('merge an umlaut written out ("ue") with the umlaut when the place holds both', () => {
    const place: [number, string[]][] = [
      [4, ['münchnerplatz']],
      [3, ['muenchnerplatz']],
      [3, ['other']],
    ];
    const variants = tagVariants(counter(place), around(place), around(place));
    expect([...variants]).toEqual([[tagKey('münchnerplatz'), [tagKey('münchnerplatz'), tagKey('muenchnerplatz')]]]);
    // Without the umlaut form nearby, the written-out one stays as it is.
    const alone: [number, string[]][] = [[4, ['muenchnerplatz']]];
    expect(tagVariants(counter(alone), around(alone), around(alone)).size).toBe(0);
  });
});

describe("a name joined to the city's name", () => {
  it('is the name', () => {
    const place: [number, string[]][] = [
      [6, ['frauenkirche', 'dresden']],
      [3, ['frauenkirchedresden', 'dresden']],
    ];
    const variants = tagVariants(counter(place), around(place), around(place));
    expect([...variants]).toEqual([['frauenkirche', ['frauenkirche', 'frauenkirchedresden']]]);
    // Keys collapse the doubled letter where "dresden" meets "neumarkt": the joint is found all the same.
    const square: [number, string[]][] = [
      [6, ['neumarkt', 'dresden']],
      [3, ['dresdenneumarkt', 'dresden']],
    ];
    const joined = tagVariants(counter(square), around(square), around(square));
    expect([...joined]).toEqual([['neumarkt', ['neumarkt', tagKey('dresdenneumarkt')]]]);
  });
});

describe('names in two languages', () => {
  it('reads a joined tag as German or English words, and neither when both lists read it alike', () => {
    expect(languageOf('bluewonder')).toBe('en');
    expect(languageOf('blaueswunder')).toBe('de');
    expect(languageOf('churchofourlady')).toBe('en');
    expect(languageOf('frauenkirche')).toBe('de');
    expect(languageOf('xqzvbarplok')).toBeNull();
  });

  // The bridge: most who write "blue wonder" write "blaues wunder" too; many write only the German.
  const bridge: [number, string[]][] = [
    [8, ['blaueswunder', 'elbe']],
    [4, ['blaueswunder', 'bluewonder']],
    [1, ['bluewonder']],
    [5, ['loschwitz', 'elbe']],
  ];
  const riverside: [number, string[]][] = [[200, ['elbe']]];

  it('are one tag under the form most photographers here use, counted once per photographer', () => {
    const place = counter(bridge);
    const variants = tagVariants(place, around(bridge, riverside), around(bridge));
    expect([...variants]).toEqual([['blaueswunder', ['blaueswunder', 'bluewonder']]]);
    const merged = place.withVariants(variants);
    expect(merged.usersWith('blaueswunder')).toBe(13);
    expect(merged.usersWith('bluewonder')).toBe(0);
    expect([...merged.keys()]).not.toContain('bluewonder');
    expect(merged.spelling('blaueswunder')).toBe('blaueswunder');
    expect(merged.usersWith('elbe')).toBe(13);
    expect(merged.userCount).toBe(18);
  });

  it('stay apart when few photographers here use both, or only one photographer does', () => {
    const rarely: [number, string[]][] = [
      [8, ['blaueswunder']],
      [1, ['blaueswunder', 'bluewonder']],
      [5, ['bluewonder']],
    ];
    expect(tagVariants(counter(rarely), around(rarely), around(rarely)).size).toBe(0);
    const onePerson: [number, string[]][] = [
      [8, ['blaueswunder']],
      [1, ['blaueswunder', 'bluewonder']],
      [1, ['bluewonder']],
    ];
    expect(tagVariants(counter(onePerson), around(onePerson), around(onePerson)).size).toBe(0);
  });

  it('are not two sights at one spot named in one language, nor a name used all around the place', () => {
    const square: [number, string[]][] = [
      [10, ['fürstenzug', 'hofkirche']],
      [4, ['hofkirche']],
    ];
    expect(tagVariants(counter(square), around(square), around(square)).size).toBe(0);
    // "river" and "elbe" go together here, but the Elbe's name is used all along the river.
    const bank: [number, string[]][] = [
      [6, ['elbe', 'river']],
      [4, ['elbe']],
    ];
    const place = counter(bank);
    expect(tagVariants(place, around(bank, riverside), around(bank)).size).toBe(0);
  });
});
