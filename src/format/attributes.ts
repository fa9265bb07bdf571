// Codec ids, timestamp types and v2 batch attribute bits (Kafka's CompressionType, TimestampType,
// DefaultRecordBatch attribute masks).

export type CodecName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export enum Codec {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export const CODEC_NAMES: readonly CodecName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function codecId(name: string): Codec {
  const id = CODEC_NAMES.indexOf(name as CodecName);
  if (id < 0) throw new RangeError(`Unknown compression type '${name}' (expected ${CODEC_NAMES.join('|')})`);
  return id as Codec;
}

export function codecName(id: number): CodecName | `unknown(${number})` {
  return CODEC_NAMES[id] ?? `unknown(${id})`;
}

export enum TimestampType {
  NoTimestamp = -1,
  CreateTime = 0,
  LogAppendTime = 1,
}

/** The names Kafka's TimestampType.toString() prints. */
export function timestampTypeName(t: TimestampType): 'NoTimestampType' | 'CreateTime' | 'LogAppendTime' {
  return t === TimestampType.CreateTime ? 'CreateTime' : t === TimestampType.LogAppendTime ? 'LogAppendTime' : 'NoTimestampType';
}

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

/** Values Kafka uses for "absent". */
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1;
