import { afterEach, describe, expect, it, vi } from 'vitest';
import { LRUCache } from 'lru-cache';

afterEach(() => vi.useRealTimers());

// What the response cache, the answer memo, the auth plugin's seen users and the rate-limit counters rely on.
describe('lru-cache as the query API uses it', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const m = new LRUCache<string, number>({ max: 2 });
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect([...m.rentries()]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(m.get('b')).toBeUndefined();
    expect(m.size).toBe(2);
  });

  it('keeps the order right when the most recently used key is read again and again', () => {
    const m = new LRUCache<string, number>({ max: 3 });
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.get('a')).toBe(1);
    expect(m.get('a')).toBe(1);
    expect(m.get('b')).toBe(2);
    m.set('d', 4);
    expect([...m.rentries()].map(([k]) => k)).toEqual(['a', 'b', 'd']);
    m.set('e', 5);
    expect(m.get('e')).toBe(5);
    m.set('f', 6);
    expect([...m.rentries()].map(([k]) => k)).toEqual(['d', 'e', 'f']);
  });

  it('forgets entries after their lifetime, per map or per entry', () => {
    vi.useFakeTimers();
    // lru-cache keeps the performance object it found when loaded, not the fake timers' one; Date.now() they move.
    const m = new LRUCache<string, number>({ max: 10, ttl: 1000, perf: { now: () => Date.now() } });
    m.set('a', 1);
    m.set('b', 2, { ttl: 5000 });
    vi.advanceTimersByTime(1001);
    expect(m.get('a')).toBeUndefined();
    expect(m.has('b')).toBe(true);
    expect([...m.rentries()]).toEqual([['b', 2]]);
    vi.advanceTimersByTime(4000);
    expect(m.get('b')).toBeUndefined();
    m.set('c', 3);
    m.clear();
    expect(m.size).toBe(0);
  });
});
