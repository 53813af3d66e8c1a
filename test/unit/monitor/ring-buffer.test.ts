import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/monitor/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps the last values in order', () => {
    const r = new RingBuffer<number>(3);
    expect(r.toArray()).toEqual([]);
    r.push(1);
    r.push(2);
    expect(r.toArray()).toEqual([1, 2]);
    for (const v of [3, 4, 5, 6, 7]) r.push(v);
    expect(r.toArray()).toEqual([5, 6, 7]);
    expect(r.size).toBe(3);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
