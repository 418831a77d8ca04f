import { describe, expect, it } from 'vitest';
import { isRowError, parseLbsnRecord } from '../src/lbsn/lbsn-row.ts';

const row = (over: Record<string, string> = {}) => ({
  origin_id: '2',
  lat: '51.0519',
  lng: '13.7416',
  guid: 'abc',
  user_guid: 'u1',
  post_create_date: '2015-06-01',
  post_publish_date: '2015-06-03',
  post_body: '',
  hashtags: 'Frauenkirche;dresden;;night',
  post_views_count: '42',
  ...over,
});

describe('parseLbsnRecord', () => {
  it('normalises a valid row', () => {
    const p = parseLbsnRecord(row(), 2);
    expect(isRowError(p)).toBe(false);
    expect(p).toMatchObject({
      source: 'flickr',
      sourceId: 'abc',
      ownerId: 'u1',
      lat: 51.0519,
      lng: 13.7416,
      tags: ['frauenkirche', 'dresden', 'night'],
      views: 42,
      takenAt: new Date('2015-06-01T00:00:00Z'),
      uploadedAt: new Date('2015-06-03T00:00:00Z'),
    });
  });
  it('keeps at most 500 units of the body as the title, without splitting an emoji', () => {
    const p = parseLbsnRecord(row({ post_body: `${'a'.repeat(499)}🌉 and more` }), 2);
    expect(p).toMatchObject({ title: 'a'.repeat(499) });
    expect(parseLbsnRecord(row({ post_body: `${'a'.repeat(498)}🌉 and more` }), 2)).toMatchObject({
      title: `${'a'.repeat(498)}🌉`,
    });
  });
  it('accepts empty dates and views', () => {
    expect(parseLbsnRecord(row({ post_create_date: '', post_views_count: '' }), 2)).toMatchObject({
      takenAt: null,
      views: 0,
    });
  });
  it.each([
    ['1901-01-01', 'a default (the Dresden sample has one)'],
    ['1970-01-01 00:00:00', 'Unix time 0'],
    ['0000-00-00 00:00:00', 'the zero date of EXIF and MySQL'],
    ['0001-01-01', "a .NET default, before the general parser's first photograph"],
    ['3000-01-01', 'a camera clock set to the future'],
  ])('stores the placeholder taken date %s (%s) as unknown, and keeps the photo', (date) => {
    expect(parseLbsnRecord(row({ post_create_date: date }), 2)).toMatchObject({
      takenAt: null,
      uploadedAt: new Date('2015-06-03T00:00:00Z'),
      tags: ['frauenkirche', 'dresden', 'night'],
    });
  });
  it('keeps an old but genuine taken date (a scanned print)', () => {
    expect(parseLbsnRecord(row({ post_create_date: '1935-01-01' }), 2)).toMatchObject({
      takenAt: new Date('1935-01-01T00:00:00Z'),
    });
  });
  it.each([
    [{ guid: '' }, 'MISSING_FIELD'],
    [{ user_guid: ' ' }, 'MISSING_FIELD'],
    [{ origin_id: 'x' }, 'INVALID_ORIGIN'],
    [{ lat: '91' }, 'INVALID_LAT'],
    [{ lat: '51,05' }, 'INVALID_LAT'],
    [{ lat: 'NaN' }, 'INVALID_LAT'],
    [{ lng: '-181' }, 'INVALID_LNG'],
    [{ lng: '1e3' }, 'INVALID_LNG'],
    [{ lat: '0', lng: '0' }, 'NULL_ISLAND'],
    [{ post_create_date: '2019-02-30' }, 'INVALID_DATE'],
    [{ post_create_date: '2019-13-01' }, 'INVALID_DATE'],
    [{ post_publish_date: '3000-01-01' }, 'INVALID_DATE'],
    [{ post_publish_date: 'yesterday' }, 'INVALID_DATE'],
    [{ post_views_count: '-5' }, 'INVALID_VIEWS'],
    [{ guid: 'x'.repeat(201) }, 'FIELD_TOO_LONG'],
  ])('reports %j as %s with its line', (over, code) => {
    expect(parseLbsnRecord(row(over), 17)).toMatchObject({ line: 17, code });
  });
});
