import { afterEach, describe, expect, it, vi } from 'vitest';
import { LruMap } from '../src/cache/lru-map.ts';

afterEach(() => vi.useRealTimers());

describe('LruMap', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect([...m.entries()]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(m.get('b')).toBeUndefined();
    expect(m.size).toBe(2);
  });

  it('keeps the order right when the most recently used key is read again and again', () => {
    const m = new LruMap<string, number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.get('a')).toBe(1);
    expect(m.get('a')).toBe(1);
    expect(m.get('b')).toBe(2);
    m.set('d', 4);
    expect([...m.entries()].map(([k]) => k)).toEqual(['a', 'b', 'd']);
    m.set('e', 5);
    expect(m.get('e')).toBe(5);
    m.set('f', 6);
    expect([...m.entries()].map(([k]) => k)).toEqual(['d', 'e', 'f']);
  });

  it('forgets entries after their lifetime, per map or per entry', () => {
    vi.useFakeTimers();
    const m = new LruMap<string, number>(10, 1000);
    m.set('a', 1);
    m.set('b', 2, 5000);
    vi.advanceTimersByTime(1001);
    expect(m.get('a')).toBeUndefined();
    expect(m.has('b')).toBe(true);
    expect([...m.entries()]).toEqual([['b', 2]]);
    vi.advanceTimersByTime(4000);
    expect(m.get('b')).toBeUndefined();
    m.set('c', 3);
    m.clear();
    expect(m.size).toBe(0);
  });
});
