import { describe, expect, it } from 'vitest';
import { distinguishNearbyLabels, type LabelledPlace } from '../src/naming/distinct-labels.ts';

const M_PER_DEG = 111_320;

/** A place `northM` metres north of a fixed point. */
function place(label: string | null, northM: number, userCount: number, firstPhoto: number): LabelledPlace {
  return {
    lat: 51.05 + northM / M_PER_DEG,
    lng: 13.74,
    label,
    userCount,
    photoCount: userCount * 3,
    photoIds: [firstPhoto],
  };
}

describe('distinguishNearbyLabels', () => {
  const renameWith = (places: LabelledPlace[], calls: [number, number][]) => (i: number, j: number) => {
    calls.push([i, j]);
    places[i]!.label = `${places[i]!.label} · apart from ${j}`;
  };

  it('renames the weaker of two nearby places sharing a label, apart from the stronger', () => {
    const places = [place('Elbe', 0, 50, 1), place('Elbe', 300, 90, 2), place('Zwinger', 100, 60, 3)];
    const calls: [number, number][] = [];
    expect(distinguishNearbyLabels(places, new Set([0, 1, 2]), 1500, renameWith(places, calls))).toBe(1);
    expect(calls).toEqual([[0, 1]]);
    expect(places.map((p) => p.label)).toEqual(['Elbe · apart from 1', 'Elbe', 'Zwinger']);
  });

  it('leaves places sharing a label alone when they are far apart, and never compares unnamed places', () => {
    const places = [place('Elbe', 0, 50, 1), place('Elbe', 3000, 90, 2), place(null, 10, 9, 3), place(null, 20, 8, 4)];
    const calls: [number, number][] = [];
    expect(distinguishNearbyLabels(places, new Set([0, 1, 2, 3]), 1500, renameWith(places, calls))).toBe(0);
    expect(calls).toEqual([]);
  });

  it('never renames a place that kept its stored name: a renamed neighbour yields, however strong', () => {
    const places = [place('Elbe', 0, 20, 1), place('Elbe', 200, 90, 2)];
    const calls: [number, number][] = [];
    // Only place 1 was named in this pass (its photos changed); place 0 kept its name.
    expect(distinguishNearbyLabels(places, new Set([1]), 1500, renameWith(places, calls))).toBe(1);
    expect(places.map((p) => p.label)).toEqual(['Elbe', 'Elbe · apart from 0']);
  });

  it('renames each of three places on one river until all three read differently', () => {
    const places = [place('Elbe', 0, 90, 1), place('Elbe', 500, 60, 2), place('Elbe', 1200, 40, 3)];
    const calls: [number, number][] = [];
    expect(distinguishNearbyLabels(places, new Set([0, 1, 2]), 1500, renameWith(places, calls))).toBe(2);
    // Place 2, named apart from place 0 like place 1 was, then meets place 1's new label.
    expect(calls).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
    ]);
    expect(new Set(places.map((p) => p.label)).size).toBe(3);
  });

  it('tells a renamed place apart again when its new label meets another neighbour', () => {
    // Place 2 named apart from place 0 reads as place 1 already does: it is named apart from place 1 too.
    const places = [place('Elbe', 0, 90, 1), place('Elbe · Bridge', 300, 60, 2), place('Elbe', 600, 40, 3)];
    const calls: [number, number][] = [];
    const rename = (i: number, j: number) => {
      calls.push([i, j]);
      places[i]!.label = j === 0 ? 'Elbe · Bridge' : 'Elbe · Terrace';
    };
    expect(distinguishNearbyLabels(places, new Set([0, 2]), 1500, rename)).toBe(1);
    expect(calls).toEqual([
      [2, 0],
      [2, 1],
    ]);
    expect(places.map((p) => p.label)).toEqual(['Elbe', 'Elbe · Bridge', 'Elbe · Terrace']);
  });
});
