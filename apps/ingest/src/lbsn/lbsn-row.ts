import { isPlaceholderTakenAt } from '@photospots/db';
import { tileKeyOf } from '@photospots/geo';
import { parseTagList, truncateText } from '@photospots/tags';
import type { NormalisedPhoto, RowError, RowErrorCode } from '../photos/normalised-photo.ts';

/** Columns of an LBSN "post" export, in file order; the header must contain at least the required ones. */
export const LBSN_COLUMNS = [
  'origin_id',
  'lat',
  'lng',
  'guid',
  'user_guid',
  'post_create_date',
  'post_publish_date',
  'post_body',
  'hashtags',
  'emoji',
  'post_views_count',
  'post_like_count',
  'loc_id',
  'loc_name',
] as const;

export const REQUIRED_COLUMNS = ['origin_id', 'lat', 'lng', 'guid', 'user_guid'] as const;

/** LBSN origin ids (lbsnstructure): which network a post comes from. */
const ORIGINS: Record<string, string> = {
  '1': 'instagram',
  '2': 'flickr',
  '3': 'twitter',
  '4': 'facebook',
  '5': 'foursquare',
};

const MAX_ID_LENGTH = 200;
const MAX_TEXT_LENGTH = 500;
const MAX_VIEWS = 2_147_483_647;
const EARLIEST = Date.UTC(1826, 0, 1); // the first photograph

type Fields = Record<string, string | undefined>;

function fail(line: number, code: RowErrorCode, message: string): RowError {
  return { line, code, message };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of `n` ASCII digits at `at`, or -1 if any is not a digit. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The two shapes an LBSN export writes, `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS` (UTC), read digit by
 * digit: most of an import's validation time went into the regular expressions and Date.parse of the
 * general path. Anything else, or any field out of its everyday range, is left to parseDateGeneral
 * (undefined), which stays the definition; the two agree on every value this accepts (tested).
 */
export function parseDateFast(t: string): number | undefined {
  if ((t.length !== 10 && t.length !== 19) || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return undefined;
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  // Date.UTC reads years 0–99 as 1900–1999: those (all before the first photograph) go the general way.
  if (year < 1000 || month < 1 || month > 12 || day < 1) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined;
  if (t.length === 10) return Date.UTC(year, month - 1, day);
  if (t.charCodeAt(10) !== 32 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function parseDate(text: string, now: number): Date | null | 'invalid' {
  const fast = parseDateFast(text);
  if (fast !== undefined) return fast < EARLIEST || fast > now + 86_400_000 ? 'invalid' : new Date(fast);
  return parseDateGeneral(text, now);
}

/** Any date or date-time the export may hold (ISO 8601 with or without a zone; a bare date is UTC midnight). */
export function parseDateGeneral(text: string, now: number): Date | null | 'invalid' {
  const ms = readDate(text);
  if (ms === null || ms === 'invalid') return ms;
  return ms < EARLIEST || ms > now + 86_400_000 ? 'invalid' : new Date(ms);
}

/** A date or date-time in epoch ms, whatever its year; null when empty, 'invalid' when not a calendar date. */
function readDate(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  // Dates alone are calendar days (the export drops the time of day); keep them as UTC midnight.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t.replace(' ', 'T');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(iso)) return 'invalid';
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(withZone);
  if (!Number.isFinite(ms)) return 'invalid';
  // Reject impossible calendar dates that Date.parse would roll over (2019-02-30).
  if (new Date(ms).toISOString().slice(0, 10) !== iso.slice(0, 10) && withZone.endsWith('Z')) return 'invalid';
  return ms;
}

/** The zero date that EXIF and MySQL write for "no date". */
const ZERO_DATE = /^0000-00-00(?:[ T]00:00(?::00)?)?$/;

/**
 * When the photo was taken: null when unknown, which includes the zero date and every placeholder
 * (isPlaceholderTakenAt: 1901-01-01, 1970-01-01, a date in the future), so that a camera's or exporter's
 * stand-in for "no date" never counts as one. The photo itself is still worth storing.
 */
function parseTakenDate(text: string, now: number): Date | null | 'invalid' {
  const t = text.trim();
  if (ZERO_DATE.test(t)) return null;
  const ms = parseDateFast(t) ?? readDate(t);
  if (ms === null || ms === 'invalid') return ms;
  return isPlaceholderTakenAt(ms, now) ? null : new Date(ms);
}

/**
 * Validates one LBSN record and normalises it, or explains why it cannot be
 * stored. Never throws: every problem becomes a RowError with a stable code.
 */
export function parseLbsnRecord(fields: Fields, line: number, now = Date.now()): NormalisedPhoto | RowError {
  for (const name of REQUIRED_COLUMNS) {
    if ((fields[name] ?? '').trim() === '') return fail(line, 'MISSING_FIELD', `${name} is empty`);
  }
  const originId = fields.origin_id!.trim();
  if (!/^\d{1,4}$/.test(originId))
    return fail(line, 'INVALID_ORIGIN', `origin_id ${JSON.stringify(originId)} is not an LBSN origin id`);
  const source = ORIGINS[originId] ?? `lbsn-${originId}`;

  const latText = fields.lat!.trim();
  const lngText = fields.lng!.trim();
  const lat = Number(latText);
  const lng = Number(lngText);
  if (!/^[-+]?\d+(\.\d+)?$/.test(latText) || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    return fail(line, 'INVALID_LAT', `lat ${JSON.stringify(latText)} is not a latitude in [-90, 90]`);
  }
  if (!/^[-+]?\d+(\.\d+)?$/.test(lngText) || !Number.isFinite(lng) || lng < -180 || lng > 180) {
    return fail(line, 'INVALID_LNG', `lng ${JSON.stringify(lngText)} is not a longitude in [-180, 180]`);
  }
  if (lat === 0 && lng === 0) return fail(line, 'NULL_ISLAND', 'lat 0, lng 0 is a missing location, not a place');

  const sourceId = fields.guid!.trim();
  const ownerId = fields.user_guid!.trim();
  // Postgres text cannot hold NUL; an id with one cannot be stored as it is (free text loses it on storing).
  if (sourceId.includes('\0') || ownerId.includes('\0'))
    return fail(line, 'INVALID_TEXT', 'guid or user_guid contains a NUL character');
  if (sourceId.length > MAX_ID_LENGTH)
    return fail(line, 'FIELD_TOO_LONG', `guid is longer than ${MAX_ID_LENGTH} characters`);
  if (ownerId.length > MAX_ID_LENGTH)
    return fail(line, 'FIELD_TOO_LONG', `user_guid is longer than ${MAX_ID_LENGTH} characters`);

  const takenAt = parseTakenDate(fields.post_create_date ?? '', now);
  if (takenAt === 'invalid')
    return fail(
      line,
      'INVALID_DATE',
      `post_create_date ${JSON.stringify(fields.post_create_date)} is not a valid date`,
    );
  const uploadedAt = parseDate(fields.post_publish_date ?? '', now);
  if (uploadedAt === 'invalid')
    return fail(
      line,
      'INVALID_DATE',
      `post_publish_date ${JSON.stringify(fields.post_publish_date)} is not a valid date`,
    );

  const viewsText = (fields.post_views_count ?? '').trim();
  if (viewsText !== '' && !/^\d{1,12}$/.test(viewsText)) {
    return fail(line, 'INVALID_VIEWS', `post_views_count ${JSON.stringify(viewsText)} is not a non-negative integer`);
  }
  const views = viewsText === '' ? 0 : Math.min(MAX_VIEWS, Number(viewsText));

  const body = (fields.post_body ?? '').trim();
  return {
    source,
    sourceId,
    ownerId,
    ownerName: null,
    lat,
    lng,
    tile: tileKeyOf(lat, lng),
    takenAt,
    uploadedAt,
    tags: parseTagList(fields.hashtags ?? '', ';').slice(0, 100),
    title: body === '' ? null : truncateText(body, MAX_TEXT_LENGTH),
    views,
    license: null,
    imageUrl: null,
  };
}

export function isRowError(x: NormalisedPhoto | RowError): x is RowError {
  return (x as RowError).code !== undefined;
}
