import { tagKey } from './normalise.ts';

/**
 * Tags that never name a place: the city, region and country in many
 * languages, and generic subject, camera, film and platform words. They are
 * frequent everywhere, so they say nothing about where a photo was taken.
 */
const STOP_WORDS = [
  // place level: city, region, country, continent (and common translations)
  'dresden', 'dresde', 'dresda', 'drezno', 'drážďany', 'дрезден', 'ドレスデン', '德累斯顿',
  'germany', 'deutschland', 'allemagne', 'germania', 'alemania', 'niemcy', 'německo', 'германия', 'duitsland', 'tyskland',
  'sachsen', 'saxony', 'saxe', 'sassonia', 'sajonia', 'saksonia', 'freistaatsachsen',
  'europe', 'europa', 'eu', 'de', 'deu', 'ger', 'brd', 'ddr', 'gdr', 'eastgermany', 'ostdeutschland',
  'city', 'stadt', 'town', 'ville', 'citta', 'ciudad', 'innenstadt', 'downtown', 'urban', 'cityscape', 'stadtbild',
  // generic subjects and moods
  'architecture', 'architektur', 'building', 'gebäude', 'gebaude', 'street', 'strasse', 'straße', 'streetphotography',
  'sky', 'himmel', 'clouds', 'wolken', 'night', 'nacht', 'day', 'tag', 'nature', 'natur', 'landscape', 'landschaft',
  'travel', 'reise', 'urlaub', 'vacation', 'holiday', 'tourism', 'tourismus', 'tourist', 'trip', 'sightseeing',
  'blue', 'blau', 'red', 'rot', 'green', 'grün', 'yellow', 'gelb', 'black', 'schwarz', 'white', 'weiss', 'weiß',
  'light', 'licht', 'shadow', 'schatten', 'water', 'wasser', 'tree', 'baum', 'trees', 'bäume', 'winter', 'summer',
  'sommer', 'spring', 'frühling', 'autumn', 'herbst', 'fall', 'snow', 'schnee', 'sun', 'sonne', 'sunset', 'sonnenuntergang',
  'people', 'menschen', 'art', 'kunst', 'history', 'geschichte', 'old', 'alt', 'new', 'neu', 'beautiful', 'love',
  'photo', 'photos', 'foto', 'fotos', 'photography', 'fotografie', 'photographer', 'picture', 'image', 'bild',
  'outdoor', 'outdoors', 'view', 'blick', 'aussicht', 'panorama', 'hdr', 'longexposure', 'langzeitbelichtung',
  // black-and-white, film and camera words
  'bw', 'sw', 'blackandwhite', 'schwarzweiss', 'schwarzweis', 'monochrome', 'monochrom', 'mono', 'color', 'colour', 'farbe',
  'film', 'analog', 'analogue', 'kodak', 'ilford', 'fuji', 'fujifilm', 'portra', 'ektar', 'hp5', 'trix', 'delta',
  'canon', 'nikon', 'sony', 'leica', 'olympus', 'panasonic', 'lumix', 'pentax', 'ricoh', 'samsung', 'apple', 'iphone',
  'eos', 'dslr', 'slr', 'mirrorless', 'lens', 'objektiv', 'camera', 'kamera', 'digital', 'raw', 'lightroom', 'photoshop',
  // platforms and upload noise
  'flickr', 'instagram', 'instagood', 'instagramer', 'igers', 'photooftheday', 'picoftheday', 'geotagged', 'geo',
  'uploaded', 'upload', 'iphoneography', 'square', 'squareformat', 'mobile', 'snapseed', 'vsco',
];

const STOP_KEYS = new Set(STOP_WORDS.map(tagKey));

/** Camera models, lens lengths, years, dates and bare numbers. */
const TECHNICAL = /^(?:\d+|\d+mm|f\d+|iso\d+|\d{4}s?|\d+[a-z]{0,2}\d*|[a-z]{1,3}\d{2,}[a-z\d]*|geo(?:lat|lon|tagged).*|[a-z]+:[a-z]+=.*)$/;

/** True when a tag says nothing about which place a photo shows. */
export function isStopTag(tag: string): boolean {
  const key = tagKey(tag);
  if (key.length < 3) return true;
  if (STOP_KEYS.has(key)) return true;
  return TECHNICAL.test(tag.replace(/\s+/g, ''));
}
