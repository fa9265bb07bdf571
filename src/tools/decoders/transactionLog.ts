// --transaction-log-decoder: `__transaction_state` records in both of Kafka's output forms.
//  - text: Scala TransactionLog.formatRecordKeyAndValue (kafka-dump-log up to ~4.2):
//      key   transaction_metadata::transactionalId=<id>   (unknown key version: unknown::version=<v>)
//      value producerId:<p>,producerEpoch:<e>,state=<S>,partitions=[t-0,t-1],txnLastUpdateTimestamp=<t>,txnTimeoutMs=<ms>
//            or <DELETE>
//    `partitions` is a Scala 2.13 mutable.HashSet[TopicPartition] printed in its iteration order,
//    which this module reproduces (bucket order of the improved Java hashCode).
//  - json: the Java DumpLogSegments form (like the offsets decoder): key {"type":"0","data":{...}},
//    value {"version":"<v>","data":{...}}.

import { CorruptRecordError } from '../../format/errors.js';
import { TRANSACTION_RECORDS } from './coordinatorSchemas.js';
import { decodeCoordinatorRecord, DELETE, type DecodedCoordinatorRecord } from './offsets.js';
import type { JsonObject } from './messageReader.js';

/** TransactionState ids (Scala case objects, printed by name). */
export const TRANSACTION_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;

export interface TransactionLogText {
  key: string;
  /** null when the key version is unknown (Kafka prints no payload) or when `error` is set. */
  value: string | null;
  /** Set when Kafka's Scala formatter would throw on this value (e.g. an unknown state id). */
  error?: string;
}

export interface DecodedTransactionLogRecord {
  text: TransactionLogText;
  json: DecodedCoordinatorRecord;
}

/** Java String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** org.apache.kafka.common.TopicPartition.hashCode. */
export function topicPartitionHash(topic: string, partition: number): number {
  const result = (31 + partition) | 0;
  return (Math.imul(31, result) + javaStringHash(topic)) | 0;
}

function tableSizeFor(capacity: number): number {
  const c = Math.max(capacity - 1, 4);
  return Math.min(2 ** Math.floor(Math.log2(c)) * 2, 1 << 30);
}

/**
 * The iteration order of Scala 2.13's mutable.HashSet after `addPartitions` (`++=`) was called once
 * per PartitionsSchema with that schema's distinct partitions: entries sorted by bucket
 * (improved hash & (table length - 1)), then by improved hash. The table length follows the set's
 * growth rules: sizeHint per addAll, threshold check per add() for Set1..Set4, none for HashSets.
 */
export function scalaTopicPartitionOrder(groups: readonly { topic: string; partitions: readonly number[] }[]): string[] {
  let tableLen = 16;
  const threshold = () => Math.floor(tableLen * 0.75);
  const entries = new Map<string, { name: string; hash: number; seq: number }>();
  let seq = 0;
  for (const g of groups) {
    const distinct = [...new Set(g.partitions)];
    const hint = tableSizeFor(Math.floor((distinct.length + 1) / 0.75));
    if (hint > tableLen) tableLen = hint;
    for (const p of distinct) {
      if (distinct.length <= 4 && entries.size + 1 >= threshold()) tableLen *= 2;
      const name = `${g.topic}-${p}`;
      if (entries.has(name)) continue;
      const h = topicPartitionHash(g.topic, p);
      entries.set(name, { name, hash: h ^ (h >>> 16), seq: seq++ });
    }
  }
  const mask = tableLen - 1;
  return [...entries.values()]
    .sort((a, b) => (a.hash & mask) - (b.hash & mask) || a.hash - b.hash || a.seq - b.seq)
    .map((e) => e.name);
}

function textValue(data: JsonObject): { value: string | null; error?: string } {
  const status = data.transactionStatus as number;
  const state = TRANSACTION_STATES[status];
  if (state === undefined) return { value: null, error: `Unknown transaction state id ${status} from the transaction status message` };
  let partitions: string[] = [];
  if (state !== 'Empty') {
    const schemas = data.transactionPartitions as { topic: string; partitionIds: number[] }[] | null;
    if (schemas === null) return { value: null, error: 'transactionPartitions is null for a non-Empty transaction' };
    partitions = scalaTopicPartitionOrder(schemas.map((s) => ({ topic: s.topic, partitions: s.partitionIds })));
  }
  return {
    value:
      `producerId:${data.producerId},producerEpoch:${data.producerEpoch},state=${state},` +
      `partitions=[${partitions.join(',')}],txnLastUpdateTimestamp=${data.transactionLastUpdateTimestampMs},txnTimeoutMs=${data.transactionTimeoutMs}`,
  };
}

/**
 * Decodes one `__transaction_state` record into Kafka's Scala text form and its JSON form.
 * A missing key or malformed bytes throw CorruptRecordError; a negative value version throws
 * UnsupportedFormatError. A value version above 1 is decoded for the JSON form (as Kafka's Java
 * reader would) while the text form gets the Scala formatter's error ("Unknown version <v> from the
 * transaction log message value") in `text.error`.
 */
export function decodeTransactionLogRecord(key: Buffer | null, value: Buffer | null): DecodedTransactionLogRecord {
  if (key === null) throw new CorruptRecordError('Transaction log record has no key (message had a missing key)');
  const json = decodeCoordinatorRecord(TRANSACTION_RECORDS, key, value);
  if (json.key === null) return { text: { key: `unknown::version=${json.recordType}`, value: null }, json };
  const text: TransactionLogText = { key: `transaction_metadata::transactionalId=${json.key.data.transactionalId}`, value: DELETE };
  if (json.value !== null && json.value !== DELETE) {
    const version = Number(json.value.version);
    const t = version > TRANSACTION_RECORDS.get(0)!.value.validVersions.hi
      ? { value: null, error: `Unknown version ${version} from the transaction log message value` }
      : textValue(json.value.data);
    text.value = t.value;
    if (t.error) text.error = t.error;
  }
  return { text, json };
}
