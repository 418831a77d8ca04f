import { parseBBox, type BBox } from '@photospots/geo';
import { ApiError } from '../errors/error-catalog.ts';

/** The `bbox` query parameter (minLng,minLat,maxLng,maxLat), or INVALID_PARAMETER saying what is wrong with it. */
export function parseBoxParameter(text: string): BBox {
  const b = parseBBox(text);
  if (b === 'format') throw badBox('must be four numbers: minLng,minLat,maxLng,maxLat');
  if (b === 'range') throw badBox('has a coordinate out of range (lng -180..180, lat -90..90)');
  if (b === 'order') throw badBox('must have min below max on both axes');
  return b;
}

function badBox(problem: string): ApiError {
  return new ApiError('INVALID_PARAMETER', `querystring parameter 'bbox' ${problem}`, [
    { parameter: 'bbox', in: 'querystring', problem },
  ]);
}
