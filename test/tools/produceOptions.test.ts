// produceOptions() defaults for the producer's helper threads (src/tools/produceOptions.ts): the
// writer thread from batch.size, the compressor thread with a codec when a worker can have two cores,
// and never a compressor without the writer (its batches go on to be written behind).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { produceOptions, WRITE_BEHIND_MIN_BATCH_BYTES } from '../../src/tools/produceOptions.js';

describe('produceOptions: helper threads', () => {
  const logDir = '/nonexistent';
  const big = WRITE_BEHIND_MIN_BATCH_BYTES;

  it('write-behind from batch.size; compress-behind with a codec when every worker can have two cores', () => {
    expect(produceOptions({ logDir, batchSize: big - 1 }).writeBehind).toBe(false);
    expect(produceOptions({ logDir, batchSize: big }).writeBehind).toBe(true);
    expect(produceOptions({ logDir, batchSize: big }).compressBehind).toBe(false); // nothing to compress
    const cores = availableParallelism();
    for (const workers of [1, 2, 3]) {
      expect(produceOptions({ logDir, batchSize: big, compressionType: 'lz4', workers }).compressBehind, `${workers} workers on ${cores} cores`).toBe(2 * workers <= cores);
    }
  });

  it('asked for, or not: as asked, but never without write-behind', () => {
    expect(produceOptions({ logDir, batchSize: big, compressionType: 'zstd', workers: 64, compressBehind: true }).compressBehind).toBe(true);
    expect(produceOptions({ logDir, batchSize: big, compressionType: 'zstd', compressBehind: false }).compressBehind).toBe(false);
    expect(produceOptions({ logDir, batchSize: big, compressionType: 'zstd', writeBehind: false, compressBehind: true }).compressBehind).toBe(false);
    expect(produceOptions({ logDir, batchSize: 1024, compressionType: 'gzip' }).compressBehind).toBe(false);
    expect(produceOptions({ logDir, batchSize: big, compressBehind: true }).compressBehind).toBe(false); // nothing to compress
  });
});
