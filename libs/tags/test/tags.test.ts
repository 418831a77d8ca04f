import { describe, expect, it } from 'vitest';
import {
  cleanTag,
  displayTag,
  distinctiveTags,
  foldText,
  isCodeLike,
  isGenericTag,
  isStopTag,
  parseTagList,
  TagCounter,
  tagKey,
  truncateText,
} from '../src/index.ts';

describe('normalisation', () => {
  it('folds case, accents, umlauts and ß for search', () => {
    expect(foldText('Brühlsche Terrasse')).toBe('bruhlscheterrasse');
    expect(foldText('Großer Garten')).toBe('grossergarten');
    expect(foldText('  CAFÉ-Noir! ')).toBe('cafenoir');
  });
  it("gives Flickr's ß-less machine tags and typed spellings one key", () => {
    expect(tagKey('grosergarten')).toBe(tagKey('Großer Garten'));
    expect(tagKey('grossergarten')).toBe(tagKey('großergarten'));
    expect(tagKey('strase')).toBe(tagKey('Straße'));
  });
  it('parses tag lists into clean unique tags', () => {
    expect(parseTagList('Dresden;;frauenkirche; Frauenkirche ;night', ';')).toEqual([
      'dresden',
      'frauenkirche',
      'night',
    ]);
    expect(parseTagList('a b  c', /\s+/)).toEqual(['a', 'b', 'c']);
    expect(cleanTag('  Blaues   Wunder ')).toBe('blaues wunder');
  });
  it('cuts long text without splitting a surrogate pair', () => {
    const bridge = '🌉';
    expect(truncateText(`${'a'.repeat(99)}${bridge}`, 100)).toBe('a'.repeat(99));
    expect(truncateText(`${'a'.repeat(98)}${bridge}b`, 100)).toBe(`${'a'.repeat(98)}${bridge}`);
    expect(truncateText('short', 100)).toBe('short');
    expect(cleanTag(`${'x'.repeat(99)}${bridge}`).isWellFormed()).toBe(true);
    for (let cut = 1; cut <= 12; cut++) expect(truncateText(bridge.repeat(6), cut).isWellFormed()).toBe(true);
  });
  it('title-cases labels', () => {
    expect(displayTag('frauenkirche')).toBe('Frauenkirche');
    expect(displayTag('blaues wunder')).toBe('Blaues Wunder');
    expect(displayTag('münzgasse')).toBe('Münzgasse');
  });
});

describe('stop list', () => {
  it.each([
    'dresden',
    'Dresde',
    'drezno',
    'дрезден',
    'germany',
    'deutschland',
    'sachsen',
    'saxony',
    'europe',
    'city',
    'canon',
    'nikon',
    'film',
    'iphone',
    '2017',
    '50mm',
    'd750',
    'sw',
    'monochrom',
  ])('stops %s', (tag) => expect(isStopTag(tag)).toBe(true));
  it.each(['frauenkirche', 'zwinger', 'semperoper', 'grosergarten', 'blaueswunder', 'elbe', 'pillnitz'])(
    'keeps %s',
    (tag) => {
      expect(isStopTag(tag)).toBe(false);
    },
  );
});

describe('code-like tokens', () => {
  it.each([
    'brn', // no vowel
    'dsc',
    'Dvb',
    'd700', // letters and digits in one token: camera models, file names
    'eos5d',
    'a7iii',
    'x100f',
    'img_1234',
    'dscn0042',
    'hochwasser2013',
    '2017', // mostly digits
    '01069',
    '8f3e9c21d4',
  ])('%s is a code, never a name', (tag) => {
    expect(isCodeLike(tag)).toBe(true);
    expect(isGenericTag(tag)).toBe(true);
  });
  it.each([
    'frauenkirche',
    'blaues wunder',
    'elbe',
    'brücke',
    'sylt', // y counts as a vowel
    '5th avenue', // an ordinal is a word
    'дрезден', // other scripts are not judged by Latin vowels
    'ドレスデン',
  ])('%s is a word', (tag) => expect(isCodeLike(tag)).toBe(false));
});

describe('distinctiveTags', () => {
  it('names a place by what is frequent there and rare around it, counting photographers', () => {
    const place = new TagCounter();
    const around = new TagCounter();
    for (let u = 0; u < 20; u++) {
      const tags = u < 15 ? ['dresden', 'frauenkirche', 'church'] : ['dresden', 'church'];
      place.add(u, tags);
      around.add(u, tags);
    }
    for (let u = 20; u < 400; u++) around.add(u, u % 3 === 0 ? ['dresden', 'church'] : ['dresden', 'elbe']);
    // One prolific photographer tagging everything "pond" is one vote, not thousands.
    for (let k = 0; k < 4000; k++) place.add('prolific', ['pond']);
    const top = distinctiveTags(place, around);
    expect(top[0]).toMatchObject({ key: 'frauenkirche', tag: 'frauenkirche', users: 15 });
    expect(top.map((t) => t.key)).not.toContain('dresden');
    expect(top.map((t) => t.key)).not.toContain('pond');
  });
  it('prefers the most common spelling for display', () => {
    const place = new TagCounter();
    place.add(1, ['großergarten']);
    place.add(2, ['grosergarten']);
    place.add(3, ['grosergarten']);
    const top = distinctiveTags(place, new TagCounter());
    expect(top[0]?.tag).toBe('grosergarten');
    expect(top[0]?.users).toBe(3);
  });
});
