import CheapRuler from 'cheap-ruler';

/**
 * A cheap-ruler measuring in metres around a latitude: on the WGS84
 * ellipsoid, within tens of kilometres of that latitude it matches the
 * geodesic distance to well under 0.1%, with no trigonometry per point.
 */
export function rulerAt(lat: number): CheapRuler {
  return new CheapRuler(lat, 'meters');
}
