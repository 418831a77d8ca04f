/**
 * Flickr's licence ids (flickr.photos.licenses.getInfo) with the identifier we
 * store (SPDX where one exists) and whether the licence requires naming the
 * author, which decides whether the owner's display name is kept at all.
 */
export interface FlickrLicence {
  id: string;
  /** Stored in photos.license. */
  code: string;
  requiresAttribution: boolean;
}

const LICENCES: readonly FlickrLicence[] = [
  { id: '0', code: 'all-rights-reserved', requiresAttribution: true },
  { id: '1', code: 'CC-BY-NC-SA-2.0', requiresAttribution: true },
  { id: '2', code: 'CC-BY-NC-2.0', requiresAttribution: true },
  { id: '3', code: 'CC-BY-NC-ND-2.0', requiresAttribution: true },
  { id: '4', code: 'CC-BY-2.0', requiresAttribution: true },
  { id: '5', code: 'CC-BY-SA-2.0', requiresAttribution: true },
  { id: '6', code: 'CC-BY-ND-2.0', requiresAttribution: true },
  { id: '7', code: 'flickr-no-known-copyright-restrictions', requiresAttribution: false },
  { id: '8', code: 'us-government-work', requiresAttribution: false },
  { id: '9', code: 'CC0-1.0', requiresAttribution: false },
  { id: '10', code: 'PDM-1.0', requiresAttribution: false },
  { id: '11', code: 'CC-BY-4.0', requiresAttribution: true },
  { id: '12', code: 'CC-BY-SA-4.0', requiresAttribution: true },
  { id: '13', code: 'CC-BY-ND-4.0', requiresAttribution: true },
  { id: '14', code: 'CC-BY-NC-4.0', requiresAttribution: true },
  { id: '15', code: 'CC-BY-NC-SA-4.0', requiresAttribution: true },
  { id: '16', code: 'CC-BY-NC-ND-4.0', requiresAttribution: true },
];

const BY_ID = new Map(LICENCES.map((l) => [l.id, l]));

/** The licence with this Flickr id, or undefined for an id Flickr has not published. */
export function flickrLicence(id: string): FlickrLicence | undefined {
  return BY_ID.get(id);
}

/** Parses FLICKR_LICENSES ("1,2,4") into the set of accepted ids. */
export function parseLicenceFilter(list: string): ReadonlySet<string> {
  return new Set(list.split(',').map((s) => String(Number(s.trim()))));
}
