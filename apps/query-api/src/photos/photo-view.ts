import { Type } from 'typebox';
import type { PhotoRow } from './photo-repository.ts';
import type { ThumbnailUrls } from './thumbnail-urls.ts';

export const PhotoItem = Type.Object(
  {
    id: Type.Integer(),
    source: Type.String({ description: 'Where the photo comes from (flickr, lbsn).' }),
    title: Type.Union([Type.String(), Type.Null()]),
    lat: Type.Number(),
    lng: Type.Number(),
    takenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    views: Type.Integer(),
    thumbnailUrl: Type.Union([Type.String(), Type.Null()], {
      description: "Our copy (CDN or presigned S3 URL), else the source's image URL; null when neither exists.",
    }),
    pageUrl: Type.Union([Type.String(), Type.Null()], { description: "The photo's page at its source, when known." }),
    attribution: Type.Object({
      ownerName: Type.Union([Type.String(), Type.Null()]),
      license: Type.Union([Type.String(), Type.Null()]),
      text: Type.String({ description: 'A credit line to show with the photo.' }),
    }),
  },
  { $id: 'PhotoItem' },
);

/** The photo's page at its source: Flickr pages are /photos/<owner>/<id>; other sources have none we can build. */
function pageUrl(row: PhotoRow): string | null {
  if (row.source === 'flickr' && /^[\w@-]+$/.test(row.ownerId) && /^\d+$/.test(row.sourceId)) {
    return `https://www.flickr.com/photos/${row.ownerId}/${row.sourceId}`;
  }
  return null;
}

/** A photo as the API shows it, with its thumbnail URL and attribution. */
export async function toPhotoItem(row: PhotoRow, thumbnails: ThumbnailUrls) {
  const owner = row.ownerName ?? 'a Flickr user';
  return {
    id: row.id,
    source: row.source,
    title: row.title,
    lat: row.lat,
    lng: row.lng,
    takenAt: row.takenAt,
    views: row.views,
    thumbnailUrl: await thumbnails.url(row),
    pageUrl: pageUrl(row),
    attribution: {
      ownerName: row.ownerName,
      license: row.license,
      text: `Photo: ${owner}${row.license ? ` (${row.license})` : ''}, via Flickr`,
    },
  };
}
