/** Mean Earth radius in metres (IUGG), used by every distance in this lib. */
export const EARTH_RADIUS_M = 6_371_008.8;

/** Web Mercator (EPSG:3857) uses the WGS84 equatorial radius. */
export const MERCATOR_RADIUS_M = 6_378_137;

export const DEG = Math.PI / 180;
