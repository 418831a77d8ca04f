import { describe, expect, it } from 'vitest';
import { isCodeLike } from './code-like.ts';

describe('isCodeLike', () => {
  it('takes names as written, in any script, for words', () => {
    for (const name of [
      'Frauenkirche',
      'Goldener Reiter',
      'Prager Straße',
      'Grünes Gewölbe',
      'Ölberg',
      'Yenidze',
      'Elbe',
      'Au',
      'Dr.-Külz-Ring',
      "St. Paul's",
      'St Pauli',
      'Pier 39',
      '5th Avenue',
      'Kraków',
      'Дрезден',
      '東京',
      'Ελβετία',
    ])
      expect(isCodeLike(name), name).toBe(false);
  });
  it('flags short strings without a vowel', () => {
    for (const code of ['Brn', 'Hbf', 'DSC', 'VW', 'X', 'Sk Dd']) expect(isCodeLike(code), code).toBe(true);
  });
  it('flags numbers and mostly digits', () => {
    for (const code of ['2019', '1-2-3', '100 %', 'A 1234', 'No 2019', '12.5'])
      expect(isCodeLike(code), code).toBe(true);
  });
  it('flags camera model and file codes', () => {
    for (const code of ['D750', 'EOS 5D', 'X-T2', 'A7III', 'NEX-7', 'iPhone12', 'IMG_2034', 'E-M10'])
      expect(isCodeLike(code), code).toBe(true);
  });
  it('flags machine-tag characters', () => {
    for (const code of ['geo:lat', 'upload=flickr', '#nofilter', 'foo_bar']) expect(isCodeLike(code), code).toBe(true);
  });
  it('reads a segment with surrounding spaces like the trimmed one', () => {
    expect(isCodeLike('  Brn ')).toBe(true);
    expect(isCodeLike(' Zwinger  ')).toBe(false);
  });
});
