// The event vocabulary of `kseg dump`: every line kafka-dump-log prints (and kseg's extras) is one
// of these objects; the CLI renders them as Kafka's text lines or as JSON Lines.

export type FileKind = 'log' | 'snapshot-checkpoint' | 'index' | 'timeindex' | 'txnindex' | 'producer-snapshot' | 'leader-epoch-checkpoint' | 'partition-metadata' | 'offset-checkpoint' | 'meta-properties' | 'quorum-state' | 'unknown';

export interface FileEvent {
  type: 'file';
  file: string;
  kind: FileKind;
  baseOffset: number | null;
}

/** `Log starting offset: N` / `Snapshot end offset: N, epoch: E` / `KRaft bootstrap snapshot`. */
export interface HeaderEvent {
  type: 'header';
  text: string;
  baseOffset?: number;
  snapshotEndOffset?: number;
  snapshotEpoch?: number;
}

export interface BatchEvent {
  type: 'batch';
  position: number;
  baseOffset: number;
  lastOffset: number;
  count: number | null;
  magic: number;
  size: number;
  crc: number;
  isValid: boolean;
  compressCodec: string;
  timestampType: string;
  maxTimestamp: number;
  baseSequence?: number;
  lastSequence?: number;
  producerId?: number;
  producerEpoch?: number;
  partitionLeaderEpoch?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  deleteHorizonMs?: number | null;
  baseTimestamp?: number;
  lastOffsetDelta?: number;
  attributes?: number;
}

export interface ControlInfoJson {
  type: string;
  typeId: number;
  version: number;
  coordinatorEpoch?: number;
  /** Decoded body of KRaft control records (LeaderChange, SnapshotHeader, ...), when available. */
  data?: unknown;
}

export interface RecordEvent {
  type: 'record';
  offset: number;
  /** Position of the record's batch. */
  position: number;
  timestamp: number;
  timestampType: string;
  keySize: number;
  valueSize: number;
  magic: number;
  sequence?: number;
  headerKeys?: string[];
  /** With --print-data-log: decoded key/value (null = null). */
  key?: string | null;
  value?: string | null;
  /** With --print-data-log: header values through the value decoder. */
  headers?: { key: string; value: string | null }[];
  /** Legacy v0/v1 messages carry their own CRC. */
  crc?: number;
  isValid?: boolean;
  control?: ControlInfoJson;
  /** Decoded payloads (--offsets-decoder, --cluster-metadata-decoder, ...) as JSON values. */
  decodedKey?: unknown;
  decodedValue?: unknown;
}

export interface IndexEntryEvent {
  type: 'indexEntry';
  offset: number;
  position: number;
}

export interface TimeIndexEntryEvent {
  type: 'timeIndexEntry';
  timestamp: number;
  offset: number;
}

export interface TxnEntryEvent {
  type: 'abortedTxn';
  version: number;
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

export interface ProducerEntryEvent {
  type: 'producerState';
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number | null;
  lastTimestamp: number;
  firstSequence: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
}

/** Entries of the text state files (checkpoints, partition.metadata, meta.properties, quorum-state). */
export interface StateEntryEvent {
  type: 'entry';
  kind: FileKind;
  fields: Record<string, string | number | null | unknown>;
}

/** `<file> is empty.` / `<file> passed sanity check.` */
export interface NoteEvent {
  type: 'note';
  file: string;
  text: string;
}

export type ProblemCheck =
  | 'crc'
  | 'record'
  | 'decompress'
  | 'framing'
  | 'trailing'
  | 'index-mismatch'
  | 'index-sanity'
  | 'timeindex-mismatch'
  | 'timeindex-order'
  | 'timeindex-offset-not-found'
  | 'non-consecutive'
  | 'snapshot'
  | 'txnindex'
  | 'state-file'
  | 'io';

export interface ProblemEvent {
  type: 'problem';
  file: string;
  position: number | null;
  offset: number | null;
  check: ProblemCheck;
  message: string;
  /** Check-specific values (e.g. indexOffset/logOffset), used for Kafka's stderr report lines. */
  expected?: number;
  found?: number;
}

/** Bytes after the last complete batch (`Found N invalid bytes at the end of <name>`). */
export interface TrailingBytesEvent {
  type: 'trailing';
  file: string;
  position: number;
  bytes: number;
  reason: string;
}

export type DumpEvent =
  | FileEvent
  | HeaderEvent
  | BatchEvent
  | RecordEvent
  | IndexEntryEvent
  | TimeIndexEntryEvent
  | TxnEntryEvent
  | ProducerEntryEvent
  | StateEntryEvent
  | NoteEvent
  | ProblemEvent
  | TrailingBytesEvent;
