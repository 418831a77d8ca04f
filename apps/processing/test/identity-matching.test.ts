import { describe, expect, it } from 'vitest';
import { matchIdentities } from '../src/hotspots/identity-matching.ts';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('matchIdentities', () => {
  it('keeps ids of places that stayed, even when they grew', () => {
    const plan = matchIdentities(
      [
        { id: 10, lat: 51.05, lng: 13.74, photoIds: range(0, 20) },
        { id: 11, lat: 51.06, lng: 13.75, photoIds: range(20, 30) },
      ],
      [
        { lat: 51.06, lng: 13.75, photoIds: range(20, 30) },
        { lat: 51.05, lng: 13.74, photoIds: range(0, 40) },
      ],
    );
    expect([...plan.keep]).toEqual([
      [1, 10],
      [0, 11],
    ]);
    expect(plan.create).toEqual([]);
    expect(plan.retire).toEqual([]);
  });
  it('announces a merge: the bigger keeps its id, the other retires into it', () => {
    const plan = matchIdentities(
      [
        { id: 1, lat: 51.05, lng: 13.74, photoIds: range(0, 30) },
        { id: 2, lat: 51.0503, lng: 13.7402, photoIds: range(30, 40) },
      ],
      [{ lat: 51.0501, lng: 13.7401, photoIds: range(0, 40) }],
    );
    expect([...plan.keep]).toEqual([[0, 1]]);
    expect(plan.retire).toEqual([{ id: 2, intoCandidate: 0 }]);
  });
  it('announces a split: the part with most photos keeps the id, the rest is new and split from it', () => {
    const plan = matchIdentities(
      [{ id: 7, lat: 51.05, lng: 13.74, photoIds: range(0, 50) }],
      [
        { lat: 51.0505, lng: 13.745, photoIds: range(35, 50) },
        { lat: 51.05, lng: 13.74, photoIds: range(0, 35) },
      ],
    );
    expect([...plan.keep]).toEqual([[1, 7]]);
    expect(plan.create).toEqual([{ candidate: 0, splitFrom: 7 }]);
  });
  it('creates and retires places that share nothing and are far apart', () => {
    const plan = matchIdentities(
      [{ id: 3, lat: 51.0, lng: 13.0, photoIds: [1, 2, 3] }],
      [{ lat: 51.1, lng: 13.1, photoIds: [4, 5, 6] }],
    );
    expect(plan.keep.size).toBe(0);
    expect(plan.create).toEqual([{ candidate: 0, splitFrom: null }]);
    expect(plan.retire).toEqual([{ id: 3, intoCandidate: null }]);
  });
  it('matches by centroid when the photos were all replaced', () => {
    const plan = matchIdentities(
      [{ id: 9, lat: 51.05, lng: 13.74, photoIds: [1, 2, 3] }],
      [{ lat: 51.0502, lng: 13.7401, photoIds: [7, 8, 9] }],
    );
    expect([...plan.keep]).toEqual([[0, 9]]);
  });
});
