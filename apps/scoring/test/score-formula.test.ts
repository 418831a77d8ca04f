import { describe, expect, it } from 'vitest';
import { computeScore } from '../src/scoring/score-formula.ts';

const base = { users: 10, userDays: 20, views: 1000, favorites: 0, recency: 0.5 };

describe('computeScore', () => {
  it('rises with every input', () => {
    const s = computeScore(base).score;
    for (const key of ['users', 'userDays', 'views', 'favorites', 'recency'] as const) {
      expect(computeScore({ ...base, [key]: base[key] + (key === 'recency' ? 0.3 : 5) }).score).toBeGreaterThan(s);
    }
  });
  it('ranks many people above one prolific uploader', () => {
    // 3 people, one of them with thousands of photos, views and capped days…
    const prolific = computeScore({ users: 3, userDays: 11, views: 50_000, favorites: 0, recency: 1 });
    // …scores below 30 people who came once each.
    const crowd = computeScore({ users: 30, userDays: 30, views: 3_000, favorites: 0, recency: 1 });
    expect(crowd.score).toBeGreaterThan(prolific.score);
  });
  it('keeps recency a bounded factor and reports every component', () => {
    const old = computeScore({ ...base, recency: 0 });
    const fresh = computeScore({ ...base, recency: 1 });
    expect(old.recencyFactor).toBe(0.6);
    expect(fresh.recencyFactor).toBe(1);
    expect(old.score / fresh.score).toBeCloseTo(0.6, 3);
    expect(Object.keys(fresh).sort()).toEqual(
      [
        'favorites',
        'favoritesTerm',
        'recency',
        'recencyFactor',
        'score',
        'userDays',
        'userDaysTerm',
        'users',
        'usersTerm',
        'views',
        'viewsTerm',
      ].sort(),
    );
  });
  it('scores an empty hotspot zero', () => {
    expect(computeScore({ users: 0, userDays: 0, views: 0, favorites: 0, recency: 0 }).score).toBe(0);
  });
});
