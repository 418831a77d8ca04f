import { createHash } from 'node:crypto';
import { isPlaceholderTakenAt } from '@photospots/db';
import { tileKeyOf } from '@photospots/geo';
import { parseTagList, truncateText } from '@photospots/tags';
import type { NormalisedPhoto } from '../photos/normalised-photo.ts';
import { flickrLicence } from './flickr-licences.ts';

/** Source name of photos from the Flickr API (the same as LBSN's origin 2, see docs/flickr-harvest.md). */
export const FLICKR_SOURCE = 'flickr';

/** Why a photo in a Flickr response is not stored. */
export type SkipReason = 'INVALID_ID' | 'NO_OWNER' | 'NO_LOCATION' | 'INVALID_UPLOAD_DATE' | 'LICENCE';

const MAX_TEXT_LENGTH = 500;
const MAX_NAME_LENGTH = 200;
const MAX_VIEWS = 2_147_483_647;
/** Flickr opened in February 2004; 2004-01-01 UTC, in seconds. */
const FLICKR_OPENED_S = Date.UTC(2004, 0, 1) / 1000;
const MAX_TAGS = 100;

/**
 * The owner id we store: a one-way hash of the Flickr NSID. It tells photos of
 * one photographer apart from another's (what clustering counts), but is not a
 * handle to their Flickr account.
 */
export function flickrOwnerId(nsid: string): string {
  return `fo_${createHash('sha256').update(`flickr-owner:${nsid}`).digest('hex').slice(0, 32)}`;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function number(value: unknown): number | undefined {
  const t = text(value)?.trim();
  if (t === undefined || t === '' || !/^[-+]?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/**
 * Flickr's datetaken is the camera's wall-clock time without a zone
 * ("2015-06-01 14:22:10"); like the LBSN import, it is kept as if UTC. It is
 * unknown (null) when Flickr says so (datetakenunknown "1": datetaken then holds
 * the upload time, not when the photo was taken), when it is the zero date, and
 * when it is a placeholder (isPlaceholderTakenAt: 1901-01-01, 1970-01-01, the future).
 */
function takenAt(raw: Record<string, unknown>, now: number): Date | null {
  if (text(raw.datetakenunknown) === '1') return null;
  const t = text(raw.datetaken)?.trim();
  if (!t || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(t) || t.startsWith('0000')) return null;
  const ms = Date.parse(`${t.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) && !isPlaceholderTakenAt(ms, now) ? new Date(ms) : null;
}

function cleanText(value: unknown, max: number): string | null {
  const t = text(value)?.trim();
  return t ? truncateText(t, max) : null;
}

/**
 * Normalises one photo of a flickr.photos.search response (Flickr's field
 * names and string numbers) into the photo every source becomes, or says why
 * it is skipped. Keeps only what the app needs: a hashed owner id, and the
 * owner's display name only when the licence requires attribution.
 */
export function normaliseFlickrPhoto(
  raw: Record<string, unknown>,
  licences: ReadonlySet<string>,
): { ok: true; photo: NormalisedPhoto } | { ok: false; reason: SkipReason } {
  const id = text(raw.id)?.trim() ?? '';
  if (!/^\d{1,20}$/.test(id)) return { ok: false, reason: 'INVALID_ID' };
  const owner = text(raw.owner)?.trim() ?? '';
  if (owner === '' || owner.length > MAX_NAME_LENGTH) return { ok: false, reason: 'NO_OWNER' };

  const licenceId = text(raw.license)?.trim() ?? '';
  const licence = flickrLicence(licenceId);
  if (!licence || !licences.has(licenceId)) return { ok: false, reason: 'LICENCE' };

  const lat = number(raw.latitude);
  const lng = number(raw.longitude);
  // Flickr reports "0" for both when a photo has no location.
  if (
    lat === undefined ||
    lng === undefined ||
    lat < -90 ||
    lat > 90 ||
    lng < -180 ||
    lng > 180 ||
    (lat === 0 && lng === 0)
  ) {
    return { ok: false, reason: 'NO_LOCATION' };
  }

  const now = Date.now();
  const upload = number(raw.dateupload);
  // Seconds since 1970, not before Flickr opened nor in the future: a number past that is not an upload time
  // (and past year 275760 not a date at all, which would fail the whole batch when stored).
  if (
    upload === undefined ||
    !Number.isInteger(upload) ||
    upload < FLICKR_OPENED_S ||
    upload * 1000 > now + 86_400_000
  ) {
    return { ok: false, reason: 'INVALID_UPLOAD_DATE' };
  }

  const views = number(raw.views);
  const imageUrl = text(raw.url_q)?.trim();
  return {
    ok: true,
    photo: {
      source: FLICKR_SOURCE,
      sourceId: id,
      ownerId: flickrOwnerId(owner),
      ownerName: licence.requiresAttribution ? cleanText(raw.ownername, MAX_NAME_LENGTH) : null,
      lat,
      lng,
      tile: tileKeyOf(lat, lng),
      takenAt: takenAt(raw, now),
      uploadedAt: new Date(upload * 1000),
      tags: parseTagList(text(raw.tags) ?? '', ' ').slice(0, MAX_TAGS),
      title: cleanText(raw.title, MAX_TEXT_LENGTH),
      views: views !== undefined && Number.isInteger(views) && views >= 0 ? Math.min(MAX_VIEWS, views) : 0,
      license: licence.code,
      imageUrl: imageUrl && /^https?:\/\//.test(imageUrl) && imageUrl.length <= 2048 ? imageUrl : null,
    },
  };
}
