import { fileURLToPath } from 'node:url';

/** The bundled Dresden sample (LBSN export of 17,879 CC-licensed Flickr photos). */
export const DRESDEN_SAMPLE_CSV = fileURLToPath(new URL('../../../data/flickr-dresden-cc-by.csv', import.meta.url));

/** Small hand-made fixtures in libs/test-harness/fixtures. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** The LBSN header line, for building CSV fixtures in tests. */
export const LBSN_HEADER =
  'origin_id,lat,lng,guid,user_guid,post_create_date,post_publish_date,post_body,hashtags,emoji,post_views_count,post_like_count,loc_id,loc_name';

/** One LBSN CSV row from a few fields (the rest left empty). */
export function lbsnRow(p: {
  guid: string;
  user: string;
  lat: number | string;
  lng: number | string;
  taken?: string;
  tags?: string[];
  views?: number | string;
  origin?: string;
}): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return [
    q(p.origin ?? '2'),
    String(p.lat),
    String(p.lng),
    q(p.guid),
    q(p.user),
    q(p.taken ?? '2015-06-01'),
    q(p.taken ?? '2015-06-02'),
    q(''),
    q((p.tags ?? []).join(';')),
    q(''),
    String(p.views ?? 0),
    '0',
    q(`${p.lat}:${p.lng}`),
    q(''),
  ].join(',');
}
