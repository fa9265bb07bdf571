// --cluster-metadata-decoder / --offsets-decoder / --transaction-log-decoder through the CLI. The
// KRaft corpus is decoded and checked against the record framing read here by hand
// (MetadataRecordSerde: unsigned varints frameVersion | apiKey | version, then the body) and a few
// bodies decoded by hand from Kafka's JSON specs; __consumer_offsets / __transaction_state records
// are hand-encoded from the coordinator schemas. Each block is skipped (with the reason printed) while
// the decoder is not wired into `kseg dump`, checked by running it.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../src/format/index.js';
import { cleanupTemps, CORPUS, corpusAvailable, kraftDir, ksegDump, pad20, readJsonl, tempDir } from './helpers.js';

afterAll(cleanupTemps);
const lines = (s: string) => s.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));

/** Whether `kseg dump --<flag>` runs (exit 0/1 and no "unknown decoder"/option error). */
function wired(flag: string, file: string): { ok: boolean; why: string } {
  const r = ksegDump([flag, file]);
  if (r.status === 0 || r.status === 1) return { ok: true, why: '' };
  return { ok: false, why: `kseg dump ${flag} exits ${r.status}: ${r.stderr.trim().split('\n')[0]}` };
}
function skipUnless(w: { ok: boolean; why: string }, what: string): boolean {
  if (!w.ok) console.warn(`[skip] ${what}: decoder not wired yet (${w.why})`);
  return !w.ok;
}

// MetadataRecordType names (Kafka's metadata/src/main/resources/common/metadata/*.json apiKeys).
const METADATA_TYPES: Record<number, string> = {
  0: 'REGISTER_BROKER_RECORD',
  2: 'TOPIC_RECORD',
  3: 'PARTITION_RECORD',
  5: 'PARTITION_CHANGE_RECORD',
  12: 'FEATURE_LEVEL_RECORD',
  15: 'PRODUCER_IDS_RECORD',
  17: 'BROKER_REGISTRATION_CHANGE_RECORD',
  20: 'NO_OP_RECORD',
  21: 'ZK_MIGRATION_STATE_RECORD',
  23: 'BEGIN_TRANSACTION_RECORD',
  24: 'END_TRANSACTION_RECORD',
  27: 'REGISTER_CONTROLLER_RECORD',
};

function uvarints(b: Buffer, n: number): number[] {
  const out: number[] = [];
  let p = 0;
  while (out.length < n) {
    let v = 0;
    let s = 0;
    for (;;) {
      const x = b[p++];
      v |= (x & 0x7f) << s;
      s += 7;
      if ((x & 0x80) === 0) break;
    }
    out.push(v);
  }
  return out;
}

const metaLog = (s: 'a' | 'b') => join(kraftDir(s, '__cluster_metadata-0'), pad20(0) + '.log');

describe.skipIf(!corpusAvailable)('--cluster-metadata-decoder on the KRaft corpus', () => {
  const w = corpusAvailable ? wired('--cluster-metadata-decoder', metaLog('a')) : { ok: false, why: 'corpus absent' };
  const skip = skipUnless(w, '--cluster-metadata-decoder');

  it.skipIf(skip)('every metadata record prints `payload: {"type":"...","version":N,"data":{...}}` matching its framing; control records keep their lines', () => {
    for (const s of ['a', 'b'] as const) {
      const r = ksegDump(['--cluster-metadata-decoder', metaLog(s)]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      const recLines = lines(r.stdout).filter((l) => l.startsWith('| '));
      const recs = readJsonl(join(CORPUS, `kraft-3.8.0-${s}`, 'oracle-expected/__cluster_metadata-0', pad20(0) + '.jsonl'));
      expect(recLines).toHaveLength(recs.length);
      recs.forEach((rec, i) => {
        const line = recLines[i];
        expect(line.startsWith(`| offset: ${rec.offset} CreateTime: ${rec.timestamp} `)).toBe(true);
        if (rec.key_b64 !== null) {
          // control record: metadata + control body, no payload (Kafka does not print contents of control batches)
          expect(line).toMatch(/ headerKeys: \[\] LeaderChange: \{.*\}$/);
          return;
        }
        const value = Buffer.from(rec.value_b64!, 'base64');
        const [frame, apiKey, version] = uvarints(value, 3);
        expect(frame).toBe(1);
        // no keys for metadata records: only " payload: ", right after the metadata
        const m = / headerKeys: \[\] payload: (\{"type":"([A-Z_]+)","version":(\d+),"data":(\{.*\})\})$/.exec(line);
        expect(m, line).not.toBeNull();
        expect(m![2]).toBe(METADATA_TYPES[apiKey]);
        expect(Number(m![3])).toBe(version);
        expect(typeof JSON.parse(m![1]).data).toBe('object');
      });
    }
  });

  it.skipIf(skip)('record bodies decoded by hand: FeatureLevel, BeginTransaction, ZkMigrationState, NoOp, and TopicRecord\'s topicId = partition.metadata\'s topic_id', () => {
    const r = ksegDump(['--cluster-metadata-decoder', metaLog('a')]);
    const payloads = lines(r.stdout)
      .filter((l) => l.includes(' payload: '))
      .map((l) => JSON.parse(l.slice(l.indexOf(' payload: ') + 10)) as { type: string; version: number; data: Record<string, unknown> });
    expect(payloads).toContainEqual({ type: 'FEATURE_LEVEL_RECORD', version: 0, data: { name: 'metadata.version', featureLevel: 20 } });
    expect(payloads).toContainEqual({ type: 'BEGIN_TRANSACTION_RECORD', version: 0, data: { name: 'Bootstrap records' } });
    expect(payloads).toContainEqual({ type: 'ZK_MIGRATION_STATE_RECORD', version: 0, data: { zkMigrationState: 0 } });
    expect(payloads).toContainEqual({ type: 'NO_OP_RECORD', version: 0, data: {} });
    // Uuid.toString(): URL-safe base64 without padding, the same text partition.metadata holds
    const topicId = /topic_id: (\S+)/.exec(readFileSync(join(kraftDir('a', 'foo-0'), 'partition.metadata'), 'utf8'))![1];
    expect(payloads).toContainEqual({ type: 'TOPIC_RECORD', version: 0, data: { name: 'foo', topicId } });
  });

  it.skipIf(skip)('also applies to a KRaft snapshot (bootstrap.checkpoint) and implies --print-data-log; JSON mode carries decodedValue', () => {
    const boot = join(CORPUS, 'kraft-3.8.0-b/kraft-combined-logs/bootstrap.checkpoint');
    const r = ksegDump(['--cluster-metadata-decoder', boot]);
    expect(lines(r.stdout)).toContain('| offset: 1 CreateTime: 1725272012715 keySize: -1 valueSize: 23 sequence: -1 headerKeys: [] payload: {"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":20}}');
    const j = ksegDump(['--json', '--cluster-metadata-decoder', boot]);
    const rec = j.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'record' && e.offset === 1);
    expect(rec.decodedValue).toEqual({ type: 'FEATURE_LEVEL_RECORD', version: 0, data: { name: 'metadata.version', featureLevel: 20 } });
  });

  it.skipIf(skip)('an undecodable value prints Kafka\'s "Error at <offset>, skipping. <msg>" and the dump goes on', () => {
    const dir = tempDir();
    const file = join(dir, pad20(0) + '.log');
    writeFileSync(file, buildRecordBatch([
      { timestamp: 1, key: null, value: Buffer.from([9, 2, 0]) }, // frame version 9
      { timestamp: 2, key: null, value: Buffer.from([1, 20, 0, 0]) }, // NoOpRecord v0, no tags
    ]));
    const r = ksegDump(['--cluster-metadata-decoder', file]);
    const recs = lines(r.stdout).filter((l) => l.startsWith('| '));
    expect(recs[0]).toMatch(/ payload: Error at 0, skipping\. .+$/);
    expect(recs[1]).toMatch(/ payload: \{"type":"NO_OP_RECORD","version":0,"data":\{\}\}$/);
  });
});

// ---- coordinator topics: hand-encoded records (non-flexible versions) -------------------------------

const str = (s: string) => {
  const b = Buffer.from(s);
  const l = Buffer.alloc(2);
  l.writeInt16BE(b.length);
  return Buffer.concat([l, b]);
};
const i16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const i64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
};
const i8 = (v: number) => Buffer.from([v & 0xff]);

function segmentOf(records: { key: Buffer; value: Buffer | null }[]): string {
  const dir = tempDir();
  const file = join(dir, pad20(0) + '.log');
  writeFileSync(file, buildRecordBatch(records.map((r, i) => ({ timestamp: 1_700_000_000_000 + i, key: r.key, value: r.value }))));
  return file;
}

/** key and payload of each record line, parsed as JSON when possible. */
function contents(stdout: string): { key: unknown; payload: unknown }[] {
  return lines(stdout)
    .filter((l) => l.startsWith('| '))
    .map((l) => {
      const m = / key: (.*?)(?: payload: (.*))?$/.exec(l);
      const parse = (s: string | undefined) => {
        if (s === undefined) return undefined;
        try {
          return JSON.parse(s) as unknown;
        } catch {
          return s;
        }
      };
      return { key: parse(m?.[1]), payload: parse(m?.[2]) };
    });
}

describe('--offsets-decoder (__consumer_offsets)', () => {
  // OffsetCommitKey v1 (group, topic, partition); OffsetCommitValue v3 (offset, leaderEpoch, metadata, commitTimestamp)
  const file = segmentOf([
    { key: Buffer.concat([i16(1), str('my-group'), str('orders'), i32(3)]), value: Buffer.concat([i16(3), i64(4242), i32(7), str('meta'), i64(1_700_000_000_123)]) },
    { key: Buffer.concat([i16(1), str('my-group'), str('orders'), i32(4)]), value: null }, // tombstone
  ]);
  const w = wired('--offsets-decoder', file);
  const skip = skipUnless(w, '--offsets-decoder');

  it.skipIf(skip)('prints key {"type":..,"data":{group,topic,partition}} and payload {"version":"3","data":{...}}; a tombstone prints <DELETE>', () => {
    const r = ksegDump(['--offsets-decoder', file]);
    expect(r.status).toBe(0);
    const [commit, tomb] = contents(r.stdout);
    expect(commit.key).toMatchObject({ data: { group: 'my-group', topic: 'orders', partition: 3 } });
    expect(Object.keys(commit.key as object)).toEqual(['type', 'data']);
    expect(commit.payload).toEqual({ version: '3', data: { offset: 4242, leaderEpoch: 7, metadata: 'meta', commitTimestamp: 1_700_000_000_123 } });
    expect(tomb.key).toMatchObject({ data: { group: 'my-group', topic: 'orders', partition: 4 } });
    expect(tomb.payload).toBe('<DELETE>');
  });
});

describe('--transaction-log-decoder (__transaction_state)', () => {
  // TransactionLogKey v0 (transactionalId); TransactionLogValue v0
  const value = Buffer.concat([i16(0), i64(4000), i16(3), i32(60_000), i8(1), i32(1), str('orders'), i32(2), i32(0), i32(1), i64(1_700_000_000_500), i64(1_700_000_000_400)]);
  const file = segmentOf([
    { key: Buffer.concat([i16(0), str('txn-1')]), value },
    { key: Buffer.concat([i16(0), str('txn-2')]), value: null },
  ]);
  const w = wired('--transaction-log-decoder', file);
  const skip = skipUnless(w, '--transaction-log-decoder');

  it.skipIf(skip)('prints key {"type":..,"data":{"transactionalId":..}} and the value\'s fields; a tombstone prints <DELETE>', () => {
    const r = ksegDump(['--transaction-log-decoder', file]);
    expect(r.status).toBe(0);
    const [txn, tomb] = contents(r.stdout);
    expect(txn.key).toMatchObject({ data: { transactionalId: 'txn-1' } });
    expect(txn.payload).toMatchObject({
      version: '0',
      data: { producerId: 4000, producerEpoch: 3, transactionTimeoutMs: 60_000, transactionStatus: 1, transactionPartitions: [{ topic: 'orders', partitionIds: [0, 1] }], transactionLastUpdateTimestampMs: 1_700_000_000_500, transactionStartTimestampMs: 1_700_000_000_400 },
    });
    expect(tomb.key).toMatchObject({ data: { transactionalId: 'txn-2' } });
    expect(tomb.payload).toBe('<DELETE>');
  });
});
