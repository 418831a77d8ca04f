import { tagKey } from './normalise.ts';
import { isStopTag } from './stop-list.ts';

/**
 * Words that describe what a photo shows but name no particular place: fine
 * among a hotspot's top tags ("church", "bridge"), never its name.
 */
const GENERIC_WORDS = [
  'church', 'kirche', 'cathedral', 'dom', 'chapel', 'kapelle', 'river', 'fluss', 'fluß', 'bridge', 'brücke', 'bruecke',
  'park', 'garden', 'garten', 'square', 'platz', 'street', 'strasse', 'straße', 'road', 'alley', 'gasse', 'market', 'markt',
  'station', 'bahnhof', 'train', 'zug', 'railway', 'eisenbahn', 'tram', 'strassenbahn', 'straßenbahn', 'bus', 'car', 'auto',
  'boat', 'ship', 'schiff', 'dampfer', 'steamer', 'ferry', 'fähre', 'faehre', 'harbour', 'hafen', 'port',
  'police', 'polizei', 'restaurant', 'bar', 'cafe', 'café', 'pub', 'kneipe', 'food', 'essen', 'shop', 'laden', 'store',
  'fountain', 'brunnen', 'statue', 'sculpture', 'skulptur', 'monument', 'denkmal', 'memorial', 'tower', 'turm',
  'castle', 'burg', 'schloss', 'schloß', 'palace', 'palast', 'palais', 'museum', 'gallery', 'galerie', 'opera', 'oper',
  'theatre', 'theater', 'concert', 'konzert', 'festival', 'stadium', 'stadion', 'zoo', 'lake', 'see', 'pond', 'teich',
  'forest', 'wald', 'hill', 'berg', 'mountain', 'rock', 'fels', 'beach', 'strand', 'riverbank', 'ufer', 'elbufer',
  'graffiti', 'streetart', 'mural', 'window', 'fenster', 'door', 'tür', 'reflection', 'spiegelung', 'bridge view',
  'flower', 'flowers', 'blume', 'blumen', 'bird', 'birds', 'vogel', 'vögel', 'dog', 'hund', 'cat', 'katze', 'duck', 'ente',
  'building', 'house', 'haus', 'tree', 'roof', 'dach', 'facade', 'fassade', 'detail', 'details', 'interior', 'innen',
  'christmas', 'weihnachten', 'christmasmarket', 'weihnachtsmarkt', 'baroque', 'barock', 'modern', 'old town', 'altstadt',
  'new town', 'neustadt', 'downtown', 'centre', 'center', 'zentrum', 'skyline', 'panorama', 'hochwasser', 'flood', 'snow',
  'terrace', 'terrasse', 'trainstation', 'railwaystation', 'busstation', 'haltestelle', 'stop', 'table', 'tisch', 'chair',
  'morning', 'morgen', 'evening', 'abend', 'nachts', 'nighttime', 'sunrise', 'sonnenaufgang', 'dusk', 'dawn', 'bluehour',
  'blauestunde', 'goldenhour', 'goldenestunde', 'clouds', 'cloudy', 'wolkig', 'rain', 'regen', 'fog', 'nebel', 'mist',
  'construction', 'baustelle', 'abriss', 'demolition', 'ruin', 'ruine', 'lights', 'lichter', 'colors', 'colours', 'farben',
  'live', 'music', 'musik', 'party', 'band', 'people', 'crowd', 'tourists', 'factory', 'fabrik', 'plant', 'werk', 'hotel',
  'clear', 'sunny', 'sonnig', 'sunshine', 'sonnenschein', 'overcast', 'bewölkt', 'storm', 'sturm', 'weather', 'wetter',
  'summertime', 'wintertime', 'autumnal', 'frost', 'ice', 'eis', 'day', 'daytime', 'weekend', 'wochenende',
  'frame', 'rahmen', 'kino', 'cinema', 'road', 'kreuzung', 'crossing', 'intersection', 'traffic', 'verkehr',
];

const GENERIC_KEYS = new Set(GENERIC_WORDS.map(tagKey));

/** True for generic words ("church", "bridge") and for every stop-listed tag. */
export function isGenericTag(tag: string): boolean {
  return isStopTag(tag) || GENERIC_KEYS.has(tagKey(tag));
}
