import { describe, expect, it } from 'vitest';
import { DisplayLexicon } from '../src/index.ts';

/** A few photos' tags, as the Dresden sample stores them (Flickr drops spaces and ß). */
function lexicon(): DisplayLexicon {
  const lex = new DisplayLexicon();
  for (const tags of [
    ['goldenerreiter', 'reiter', 'dresden'],
    ['blaueswunder', 'blaues', 'wunder'],
    ['grosergarten', 'garten'],
    ['pragerstrase', 'prager', 'strasse'],
    ['pragerstraße'],
    ['kunsthofpassage', 'kunst', 'passage'],
    ['frauenkirche', 'semperoper', 'kirche', 'oper', 'semper'],
  ])
    lex.addTags(tags);
  return lex;
}

describe('DisplayLexicon', () => {
  it('splits joined tags into the words people write apart', () => {
    const lex = lexicon();
    expect(lex.display('goldenerreiter')).toBe('Goldener Reiter');
    expect(lex.display('blaueswunder')).toBe('Blaues Wunder');
    expect(lex.display('grosergarten')).toBe('Großer Garten');
  });

  it('prefers the spelling with ß the data holds', () => {
    expect(lexicon().display('pragerstrase')).toBe('Prager Straße');
  });

  it('keeps a single word and a compound whole', () => {
    const lex = lexicon();
    expect(lex.display('frauenkirche')).toBe('Frauenkirche');
    expect(lex.display('semperoper')).toBe('Semperoper');
    expect(lex.display('kunsthofpassage')).toBe('Kunsthofpassage');
  });

  it('reads an adjective from a material or -ig stem before a noun, but not a noun ending in -e', () => {
    const lex = new DisplayLexicon();
    // "gläserne" and "gläsernen" are listed words, and "gläsern" is an adjective's stem.
    expect(lex.display('gläsernemanufaktur')).toBe('Gläserne Manufaktur');
    // "reise" and "reisen" are listed too, but "reis" is no adjective: a compound stays whole.
    expect(lex.display('reisebüro')).toBe('Reisebüro');
  });

  it('takes the words and their casing from titles that write a joined tag apart', () => {
    const lex = new DisplayLexicon();
    lex.addTags(['cafeprag', 'tudresden', 'frauenkirche']);
    expect(lex.display('cafeprag')).toBe('Cafeprag');
    expect(lex.display('tudresden')).toBe('Tudresden');
    lex.addTitle('Abends im Café Prag, am Altmarkt');
    lex.addTitle('Hörsaal der TU Dresden');
    expect(lex.display('cafeprag')).toBe('Café Prag');
    expect(lex.display('tudresden')).toBe('TU Dresden');
    // Titles that write it as one word more often than apart keep it whole.
    lex.addTitle('Frauen Kirche');
    lex.addTitle('Die Frauenkirche bei Nacht');
    lex.addTitle('Frauenkirche');
    expect(lex.display('frauenkirche')).toBe('Frauenkirche');
  });

  it("writes a name joined to the city's name as a district, and leaves compounds whole", () => {
    const lex = new DisplayLexicon();
    for (let i = 0; i < 30; i++) lex.addTags(['dresden', i % 3 === 0 ? 'neustadt' : 'elbe']);
    for (let i = 0; i < 4; i++) lex.addTags(['dresdenneustadt', 'dresden']);
    lex.addTags(['sachsenplatz', 'dresden']);
    lex.addTags(['dresdner', 'platz']);
    expect(lex.display('dresdenneustadt')).toBe('Dresden-Neustadt');
    // "dresden" is on most photos, but "platz" alone is no more common than the compound.
    lex.addTags(['dresdenplatz']);
    expect(lex.display('dresdenplatz')).toBe('Dresdenplatz');
    // "sachsen" is no city here: a third of the photos do not carry it.
    expect(lex.display('sachsenplatz')).toBe('Sachsenplatz');
  });

  it('does not split without evidence', () => {
    expect(new DisplayLexicon().display('xqzvbarplok')).toBe('Xqzvbarplok');
  });

  it('capitalises a name, small words inside it lower case, and keeps the casing titles show', () => {
    const lex = lexicon();
    expect(lex.display('palais im großen garten')).toBe('Palais im Großen Garten');
    lex.addTitle('Campus der TU Dresden');
    expect(lex.display('tu')).toBe('TU');
  });

  it('shows each tag of a label', () => {
    expect(lexicon().displayLabel('Blasewitz · Blaueswunder')).toBe('Blasewitz · Blaues Wunder');
  });
});
