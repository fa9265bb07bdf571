// The storage bench (bench/storage.ts) marks a target `noisy` when a figure it is computed from has
// runs that disagree (one met memory the host had taken back): a ratio on such a median is reported,
// but not as a clean verdict.

import { describe, expect, it } from 'vitest';
import { noisy, stat } from '../../bench/storage.js';

describe('storage bench: noisy targets', () => {
  it('flags the figure whose runs disagree by more than half their median, with its runs', () => {
    const raw = stat([2128, 5921, 1927], 0); // two raw writes into cold memory
    const produce = stat([4830, 5523, 5274], 0);
    expect(noisy({ 'produce MB/s': produce, 'raw write MB/s': raw })).toBe('raw write MB/s runs 2128, 5921, 1927 (spread 187.7%)');
  });

  it('leaves figures whose runs agree (this VM: within ±20%) unflagged', () => {
    expect(noisy({ a: stat([4830, 5523, 5274], 0), b: stat([5942, 5845, 5512], 0) })).toBeUndefined();
  });
});
