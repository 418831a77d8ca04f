import { describe, expect, it } from 'vitest';
import { parseLicenceFilter } from '../src/flickr/flickr-licences.ts';
import { flickrOwnerId, normaliseFlickrPhoto } from '../src/flickr/flickr-photo.ts';
import { parseSearchResponse } from '../src/flickr/search-response.ts';

const CC = parseLicenceFilter('1,2,3,4,5,6,9,11,12,13,14,15,16');

/** A photo as flickr.photos.search returns it with our extras: numbers as strings. */
const raw = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: '52999999999',
  owner: '12345678@N01',
  secret: 'abcdef1234',
  server: '65535',
  farm: 66,
  title: ' Frauenkirche at dusk ',
  ispublic: 1,
  isfriend: 0,
  isfamily: 0,
  license: '4',
  dateupload: '1433167330',
  datetaken: '2015-06-01 14:22:10',
  datetakengranularity: 0,
  datetakenunknown: '0',
  ownername: 'Jane Doe',
  views: '123',
  tags: 'dresden Frauenkirche night dresden',
  latitude: '51.051900',
  longitude: '13.741600',
  accuracy: '16',
  context: 0,
  url_q: 'https://live.staticflickr.com/65535/52999999999_abcdef1234_q.jpg',
  height_q: 150,
  width_q: 150,
  ...over,
});

describe('Flickr responses', () => {
  it('reads page, pages, perpage and total whether numbers or strings', () => {
    const body = JSON.stringify({
      photos: { page: 2, pages: '61', perpage: 250, total: '15076', photo: [raw()] },
      stat: 'ok',
    });
    const parsed = parseSearchResponse(body);
    expect(parsed).toEqual({ ok: true, page: { page: 2, pages: 61, perPage: 250, total: 15_076, photos: [raw()] } });
    expect(parseSearchResponse(`jsonFlickrApi(${body})`)).toEqual(parsed);
  });

  it('reports stat fail with its code, and anything else as malformed', () => {
    expect(parseSearchResponse('{"stat":"fail","code":105,"message":"Service currently unavailable"}')).toEqual({
      ok: false,
      kind: 'fail',
      code: 105,
      message: 'Service currently unavailable',
    });
    expect(parseSearchResponse('{"photos":{"page":1,"pages":')).toMatchObject({ ok: false, kind: 'malformed' });
    expect(parseSearchResponse('{"photos":{"page":1},"stat":"ok"}')).toMatchObject({ ok: false, kind: 'malformed' });
    expect(parseSearchResponse('<html>502</html>')).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('normalises a photo into the same shape as the CSV import', () => {
    expect(normaliseFlickrPhoto(raw(), CC)).toEqual({
      ok: true,
      photo: {
        source: 'flickr',
        sourceId: '52999999999',
        ownerId: flickrOwnerId('12345678@N01'),
        ownerName: 'Jane Doe',
        lat: 51.0519,
        lng: 13.7416,
        tile: expect.any(Number),
        takenAt: new Date('2015-06-01T14:22:10Z'),
        uploadedAt: new Date(1_433_167_330_000),
        tags: ['dresden', 'frauenkirche', 'night'],
        title: 'Frauenkirche at dusk',
        views: 123,
        license: 'CC-BY-2.0',
        imageUrl: 'https://live.staticflickr.com/65535/52999999999_abcdef1234_q.jpg',
      },
    });
  });

  it('stores a hashed owner id, never the NSID, and a name only when the licence asks for attribution', () => {
    const byCc0 = normaliseFlickrPhoto(raw({ license: '9' }), CC);
    expect(byCc0).toMatchObject({ ok: true, photo: { ownerName: null, license: 'CC0-1.0' } });
    const photo = normaliseFlickrPhoto(raw(), CC);
    expect(photo.ok && photo.photo.ownerId).toMatch(/^fo_[0-9a-f]{32}$/);
    expect(JSON.stringify(photo)).not.toContain('12345678@N01');
    expect(flickrOwnerId('12345678@N01')).toBe(flickrOwnerId('12345678@N01'));
    expect(flickrOwnerId('12345678@N01')).not.toBe(flickrOwnerId('12345678@N02'));
  });

  it.each([
    [{ license: '0' }, 'LICENCE'],
    [{ license: '10' }, 'LICENCE'],
    [{ license: '99' }, 'LICENCE'],
    [{ latitude: '0', longitude: '0' }, 'NO_LOCATION'],
    [{ latitude: '91', longitude: '13' }, 'NO_LOCATION'],
    [{ latitude: undefined }, 'NO_LOCATION'],
    [{ id: 'abc' }, 'INVALID_ID'],
    [{ owner: '' }, 'NO_OWNER'],
    [{ dateupload: 'yesterday' }, 'INVALID_UPLOAD_DATE'],
    [{ dateupload: '0' }, 'INVALID_UPLOAD_DATE'],
    [{ dateupload: '1000000000000000' }, 'INVALID_UPLOAD_DATE'], // no Date at all
    [{ dateupload: '10000000000000' }, 'INVALID_UPLOAD_DATE'], // year 318857: past Postgres' timestamps
    [{ dateupload: String(Math.floor(Date.now() / 1000) + 7 * 86_400) }, 'INVALID_UPLOAD_DATE'],
    [{ dateupload: '1000000000' }, 'INVALID_UPLOAD_DATE'], // 2001, before Flickr
  ])('skips %j as %s', (over, reason) => {
    expect(normaliseFlickrPhoto(raw(over), CC)).toEqual({ ok: false, reason });
  });

  it('tolerates numbers as numbers, unknown taken dates and missing optional extras', () => {
    const r = normaliseFlickrPhoto(
      raw({
        latitude: 51.05,
        longitude: 13.74,
        views: 7,
        datetakenunknown: '1',
        url_q: undefined,
        tags: undefined,
        title: '',
      }),
      CC,
    );
    expect(r).toMatchObject({
      ok: true,
      photo: { lat: 51.05, lng: 13.74, views: 7, takenAt: null, imageUrl: null, tags: [], title: null },
    });
    expect(normaliseFlickrPhoto(raw({ datetaken: '0000-00-00 00:00:00' }), CC)).toMatchObject({
      ok: true,
      photo: { takenAt: null },
    });
  });

  it.each([
    [{ datetakenunknown: '1', datetaken: '2015-06-01 19:55:30' }, 'Flickr says unknown (and gives the upload time)'],
    [{ datetaken: '1970-01-01 01:00:00' }, 'Unix time 0 on a camera in Central Europe'],
    [{ datetaken: '1901-01-01 00:00:00' }, 'a default date'],
    [{ datetaken: '2999-12-31 23:59:59' }, 'a camera clock in the future'],
  ])('stores the taken date of %j as unknown: %s', (over, _why) => {
    expect(normaliseFlickrPhoto(raw(over), CC)).toMatchObject({
      ok: true,
      photo: { takenAt: null, uploadedAt: new Date(1433167330 * 1000) },
    });
  });
});
