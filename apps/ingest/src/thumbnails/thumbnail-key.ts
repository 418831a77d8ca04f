import { createHash } from 'node:crypto';

/**
 * The S3 key of a photo's thumbnail: `<source>/<source id>/<hash of the image
 * URL>.jpg`, e.g. `flickr/52999999999/3f1c9a0b7d2e.jpg`. The same image always
 * lands on the same key (retries overwrite, never duplicate); a replaced
 * image (new URL, new Flickr secret) gets a new key, so caches never serve
 * the old one. Only [a-z0-9/.] appear, so the key needs no URL encoding.
 */
export function thumbnailKeyFor(source: string, sourceId: string, imageUrl: string): string {
  const digest = createHash('sha256').update(imageUrl).digest('hex').slice(0, 12);
  const safeSource = source.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const safeId = sourceId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${safeSource}/${safeId}/${digest}.jpg`;
}
