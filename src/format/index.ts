// Public surface of the pure format layer.
export * from './attributes.js';
export * from './errors.js';
export * from './varint.js';
export * from './crc.js';
export * from './int64.js';
export type { Batch, RecordIterationOptions } from './batch.js';
export { Record, type RecordHeader } from './record.js';
export * from './recordBatch.js';
export * from './recordBatchBuilder.js';
export * from './batchCompression.js';
export * from './legacyRecordBatch.js';
export * from './legacyBatchBuilder.js';
export * from './controlRecord.js';
export * from './batchScanner.js';
export { compress, decompress, DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressOptions, type DecompressOptions } from './codecs/compression.js';
