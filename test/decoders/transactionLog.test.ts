// --transaction-log-decoder: `__transaction_state` records at value versions 0 and 1 (flexible,
// tagged producer ids and client transaction version), in Kafka's Scala text form and JSON form.

import { describe, expect, it } from 'vitest';
import { CorruptRecordError, UnsupportedFormatError } from '../../src/format/errors.js';
import {
  decodeTransactionLogRecord,
  scalaTopicPartitionOrder,
  toKafkaJson,
  TRANSACTION_RECORDS,
  TRANSACTION_STATES,
  type StructValue,
} from '../../src/tools/decoders/index.js';
import { javaStringHash, topicPartitionHash } from '../../src/tools/decoders/transactionLog.js';
import { coordinatorValue, hex } from './support.js';

const { key: KEY_SCHEMA, value: VALUE_SCHEMA } = TRANSACTION_RECORDS.get(0)!;
const str16 = (s: string) => Buffer.concat([hex((Buffer.byteLength(s) + 0x10000).toString(16).slice(1)), Buffer.from(s)]);
const i64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const KEY = Buffer.concat([hex('0000'), str16('my-txn')]);

function txnValue(over: Partial<StructValue> = {}): StructValue {
  return {
    producerId: 1000n,
    previousProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch: 3,
    transactionTimeoutMs: 60000,
    transactionStatus: 1,
    transactionPartitions: [{ topic: 'foo', partitionIds: [0, 1, 2] }],
    transactionLastUpdateTimestampMs: 1700000000500n,
    transactionStartTimestampMs: 1700000000000n,
    clientTransactionVersion: 0,
    ...over,
  };
}

describe('transaction log records', () => {
  it('value v0 built byte by byte: Scala text and JSON forms', () => {
    const value = Buffer.concat([
      hex('0000'), i64(1000n), hex('0003'), hex('0000ea60'), hex('01'),
      hex('00000001'), str16('foo'), hex('00000003 00000000 00000001 00000002'),
      i64(1700000000500n), i64(1700000000000n),
    ]);
    const d = decodeTransactionLogRecord(KEY, value);
    expect(d.text).toEqual({
      key: 'transaction_metadata::transactionalId=my-txn',
      value: 'producerId:1000,producerEpoch:3,state=Ongoing,partitions=[foo-2,foo-0,foo-1],txnLastUpdateTimestamp=1700000000500,txnTimeoutMs=60000',
    });
    expect(JSON.stringify(d.json.key)).toBe('{"type":"0","data":{"transactionalId":"my-txn"}}');
    expect(JSON.stringify(d.json.value)).toBe(
      '{"version":"0","data":{"producerId":1000,"producerEpoch":3,"transactionTimeoutMs":60000,"transactionStatus":1,' +
        '"transactionPartitions":[{"topic":"foo","partitionIds":[0,1,2]}],"transactionLastUpdateTimestampMs":1700000000500,"transactionStartTimestampMs":1700000000000}}',
    );
  });

  it('value v1 (flexible): tagged fields print only when set', () => {
    const plain = decodeTransactionLogRecord(KEY, coordinatorValue(1, VALUE_SCHEMA, txnValue()));
    expect(plain.json.value).toEqual({ version: '1', data: toKafkaJson(VALUE_SCHEMA.fields, txnValue(), 1) });
    expect(Object.keys((plain.json.value as { data: object }).data)).not.toContain('previousProducerId');
    const tagged = txnValue({ previousProducerId: 999n, nextProducerId: 1001n, clientTransactionVersion: 2, transactionStatus: 2 });
    const d = decodeTransactionLogRecord(KEY, coordinatorValue(1, VALUE_SCHEMA, tagged));
    expect((d.json.value as { data: object }).data).toMatchObject({ producerId: 1000, previousProducerId: 999, nextProducerId: 1001, clientTransactionVersion: 2, transactionStatus: 2 });
    expect(d.text.value).toBe('producerId:1000,producerEpoch:3,state=PrepareCommit,partitions=[foo-2,foo-0,foo-1],txnLastUpdateTimestamp=1700000000500,txnTimeoutMs=60000');
  });

  it('prints every transaction state by name; Empty prints no partitions', () => {
    TRANSACTION_STATES.forEach((state, id) => {
      const d = decodeTransactionLogRecord(KEY, coordinatorValue(0, VALUE_SCHEMA, txnValue({ transactionStatus: id, transactionPartitions: id === 0 ? null : [{ topic: 'a', partitionIds: [0] }] })));
      expect(d.text.value).toBe(`producerId:1000,producerEpoch:3,state=${state},partitions=[${id === 0 ? '' : 'a-0'}],txnLastUpdateTimestamp=1700000000500,txnTimeoutMs=60000`);
    });
  });

  it('a tombstone is <DELETE> in both forms', () => {
    const d = decodeTransactionLogRecord(KEY, null);
    expect(d.text).toEqual({ key: 'transaction_metadata::transactionalId=my-txn', value: '<DELETE>' });
    expect(d.json.value).toBe('<DELETE>');
  });

  it('an unknown key version prints unknown::version=<v> and no value', () => {
    const d = decodeTransactionLogRecord(Buffer.concat([hex('0001'), str16('x')]), hex('0000'));
    expect(d.text).toEqual({ key: 'unknown::version=1', value: null });
    expect(d.json).toEqual({ recordType: 1, name: null, key: null, value: null });
  });

  it('an unknown state id is an error for the text form only; bad bytes and versions throw', () => {
    const d = decodeTransactionLogRecord(KEY, coordinatorValue(0, VALUE_SCHEMA, txnValue({ transactionStatus: 9 })));
    expect(d.text).toEqual({ key: 'transaction_metadata::transactionalId=my-txn', value: null, error: 'Unknown transaction state id 9 from the transaction status message' });
    expect((d.json.value as unknown as { data: { transactionStatus: number } }).data.transactionStatus).toBe(9);
    expect(() => decodeTransactionLogRecord(null, null)).toThrow(CorruptRecordError);
    expect(() => decodeTransactionLogRecord(KEY, hex('ffff 00'))).toThrow(UnsupportedFormatError);
    expect(() => decodeTransactionLogRecord(KEY, hex('0002 00'))).toThrow(CorruptRecordError);
    const v2 = decodeTransactionLogRecord(KEY, coordinatorValue(2, VALUE_SCHEMA, txnValue()));
    expect(v2.text).toEqual({ key: 'transaction_metadata::transactionalId=my-txn', value: null, error: 'Unknown version 2 from the transaction log message value' });
    expect((v2.json.value as unknown as { version: string }).version).toBe('2');
    const v0 = coordinatorValue(0, VALUE_SCHEMA, txnValue());
    for (let n = 2; n < v0.length; n++) expect(() => decodeTransactionLogRecord(KEY, v0.subarray(0, n))).toThrow(CorruptRecordError);
    expect(KEY_SCHEMA.name).toBe('TransactionLogKey');
  });
});

describe('Scala mutable.HashSet order of TopicPartitions', () => {
  it('uses Java\'s hashCode for String and TopicPartition', () => {
    expect(javaStringHash('foo')).toBe(101574);
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a-much-longer-topic-name-that-overflows')).toBe(Number(BigInt.asIntN(32, [...'a-much-longer-topic-name-that-overflows'].reduce((h, c) => h * 31n + BigInt(c.charCodeAt(0)), 0n))));
    expect(topicPartitionHash('foo', 0)).toBe(31 * 31 + 101574);
  });

  it('orders by bucket of the improved hash in a 16-slot table, then by hash', () => {
    // foo-0: 102535 ^ 1 = 102534 -> bucket 6; foo-1: 102567 -> 7; foo-2: 102596 -> 4.
    expect(scalaTopicPartitionOrder([{ topic: 'foo', partitions: [0, 1, 2] }])).toEqual(['foo-2', 'foo-0', 'foo-1']);
    expect(scalaTopicPartitionOrder([{ topic: 'foo', partitions: [2, 1, 0, 1] }])).toEqual(['foo-2', 'foo-0', 'foo-1']);
    expect(scalaTopicPartitionOrder([{ topic: 'b', partitions: [0] }, { topic: 'a', partitions: [0] }])).toEqual(['a-0', 'b-0']);
    expect(scalaTopicPartitionOrder([])).toEqual([]);
  });

  it('grows the table past 12 entries (32 slots for a 13-partition addAll)', () => {
    const parts = Array.from({ length: 13 }, (_, i) => i);
    const order = scalaTopicPartitionOrder([{ topic: 't', partitions: parts }]);
    const key = (p: number) => {
      const h = topicPartitionHash('t', p);
      const ih = h ^ (h >>> 16);
      return [ih & 31, ih] as const;
    };
    const expected = [...parts].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]).map((p) => `t-${p}`);
    expect(order).toEqual(expected);
    expect(order).toHaveLength(13);
  });
});
