// Public surface of the storage layer.
export * from './fileNames.js';
export * from './logConfig.js';
export * from './flushPolicy.js';
export * from './offsetIndex.js';
export * from './timeIndex.js';
export * from './transactionIndex.js';
export * from './producerSnapshot.js';
export * from './producerState.js';
export * from './checkpointFile.js';
export * from './atomicWrite.js';
export * from './logSegment.js';
export * from './logFileReader.js';
export * from './partitionLog.js';
export * from './partitionReader.js';
export * from './logDir.js';
export * from './dirLock.js';
export * from './segmentRecovery.js';
