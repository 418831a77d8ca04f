import { describe, expect, it } from 'vitest';
import { bboxParam, pagesToRead, queryKey, splitQuery, type HarvestQuery } from '../src/flickr/query-plan.ts';

const box = { minLng: 13.6, minLat: 50.98, maxLng: 13.9, maxLat: 51.12 };

describe('query plan', () => {
  it('halves the upload window into two windows that share no second', () => {
    const q: HarvestQuery = { bbox: box, minUpload: 100, maxUpload: 201 };
    expect(splitQuery(q)).toEqual({
      by: 'time',
      children: [
        { bbox: box, minUpload: 100, maxUpload: 150 },
        { bbox: box, minUpload: 151, maxUpload: 201 },
      ],
    });
    expect(
      splitQuery({ bbox: box, minUpload: 7, maxUpload: 8 })?.children.map((c) => [c.minUpload, c.maxUpload]),
    ).toEqual([
      [7, 7],
      [8, 8],
    ]);
  });

  it('splits a one-second window into quadrants on the six-decimal grid, sharing edges', () => {
    const split = splitQuery({ bbox: box, minUpload: 5, maxUpload: 5 });
    expect(split?.by).toBe('space');
    expect(split?.children.map((c) => bboxParam(c.bbox))).toEqual([
      '13.6,50.98,13.75,51.05',
      '13.75,50.98,13.9,51.05',
      '13.6,51.05,13.75,51.12',
      '13.75,51.05,13.9,51.12',
    ]);
    expect(split?.children.every((c) => c.minUpload === 5 && c.maxUpload === 5)).toBe(true);
  });

  it('splits only the side still wide enough, and gives up on a box two grid steps wide', () => {
    const narrow = { minLng: 13.700001, minLat: 51, maxLng: 13.700002, maxLat: 51.1 };
    const halves = splitQuery({ bbox: narrow, minUpload: 1, maxUpload: 1 });
    expect(halves?.children.map((c) => bboxParam(c.bbox))).toEqual([
      '13.700001,51,13.700002,51.05',
      '13.700001,51.05,13.700002,51.1',
    ]);
    expect(
      splitQuery({ bbox: { minLng: 1, minLat: 1, maxLng: 1.000001, maxLat: 1.000001 }, minUpload: 1, maxUpload: 1 }),
    ).toBeUndefined();
  });

  it('keys are stable text of the box and window', () => {
    expect(queryKey({ bbox: box, minUpload: 1, maxUpload: 2 })).toBe('13.6,50.98,13.9,51.12@1-2');
  });

  it('reads at most the pages under the 4,000 cap', () => {
    expect(pagesToRead(0, 250)).toBe(0);
    expect(pagesToRead(250, 250)).toBe(1);
    expect(pagesToRead(251, 250)).toBe(2);
    expect(pagesToRead(4_000, 250)).toBe(16);
    expect(pagesToRead(9_000, 250)).toBe(16);
  });
});
