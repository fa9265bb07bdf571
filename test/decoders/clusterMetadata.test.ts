// --cluster-metadata-decoder and control records: every record of the real KRaft 3.8.0 metadata
// logs in /work/shared/corpus decodes to a known type (with spot checks against the topic ids the
// brokers wrote to partition.metadata), and every metadata record type round-trips at every version.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/format/errors.js';
import { LogFileReader } from '../../src/storage/logFileReader.js';
import {
  CONTROL_RECORDS,
  decodeClusterMetadataRecord,
  decodeControlRecordValue,
  formatControlRecord,
  METADATA_RECORDS,
  metadataRecordName,
  metadataRecordType,
  toKafkaJson,
  writeMessage,
  type ClusterMetadataRecordJson,
  type DecodedControlRecord,
} from '../../src/tools/decoders/index.js';
import { allVersions, CORPUS, HAVE_CORPUS, hex, metadataFrame, sampleStruct } from './support.js';

interface CorpusRecord {
  offset: number;
  control?: DecodedControlRecord | ReturnType<typeof decodeControlRecordValue>;
  metadata?: ClusterMetadataRecordJson;
}

function readMetadataLog(file: string): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  const reader = new LogFileReader(file);
  for (const batch of reader) {
    for (const record of batch.records()) {
      if (record.isControl) {
        const type = record.key()!.readInt16BE(2);
        out.push({ offset: record.offset, control: decodeControlRecordValue(type, record.value()) });
        continue;
      }
      const d = decodeClusterMetadataRecord(record.value()!);
      if (!('data' in d)) throw new Error(`offset ${record.offset}: unknown metadata apiKey ${d.apiKey}`);
      out.push({ offset: record.offset, metadata: d });
    }
  }
  expect(reader.end?.reason).toBe('end');
  return out;
}

const topicIdOf = (dir: string) => /topic_id: (\S+)/.exec(fs.readFileSync(path.join(dir, 'partition.metadata'), 'utf8'))![1];

if (!HAVE_CORPUS) console.log(`decoders: ${CORPUS} is absent, skipping the KRaft corpus tests`);

describe.skipIf(!HAVE_CORPUS)('KRaft 3.8.0 corpus', () => {
  for (const [sample, total, controls] of [['kraft-3.8.0-a', 129, 1], ['kraft-3.8.0-b', 116, 2]] as const) {
    const logDir = path.join(CORPUS, sample, 'kraft-combined-logs');
    const log = path.join(logDir, '__cluster_metadata-0', '00000000000000000000.log');

    it(`${sample}: every record decodes to a known type`, () => {
      const recs = readMetadataLog(log);
      expect(recs).toHaveLength(total);
      expect(recs.filter((r) => r.control)).toHaveLength(controls);
      const types = new Set(recs.flatMap((r) => (r.metadata ? [r.metadata.type] : [])));
      expect([...types].sort()).toEqual(
        ['BEGIN_TRANSACTION_RECORD', 'BROKER_REGISTRATION_CHANGE_RECORD', 'END_TRANSACTION_RECORD', 'FEATURE_LEVEL_RECORD', 'NO_OP_RECORD',
          'PARTITION_CHANGE_RECORD', 'PARTITION_RECORD', 'PRODUCER_IDS_RECORD', 'REGISTER_BROKER_RECORD', 'REGISTER_CONTROLLER_RECORD',
          'TOPIC_RECORD', 'ZK_MIGRATION_STATE_RECORD'],
      );
    });

    it(`${sample}: bootstrap records, the topic and its partition match what the broker wrote`, () => {
      const recs = readMetadataLog(log);
      const at = (o: number) => recs.find((r) => r.offset === o)!;
      // Offset 0 is the LeaderChange control batch of the first election.
      expect(at(0).control).toEqual({ type: 2, typeName: 'LEADER_CHANGE', version: 0, data: { version: 0, leaderId: 1, voters: [{ voterId: 1 }], grantingVoters: [{ voterId: 1 }] } });
      // The bootstrap transaction: metadata.version 20 is 3.8-IV0.
      expect(JSON.stringify(at(1).metadata)).toBe('{"type":"BEGIN_TRANSACTION_RECORD","version":0,"data":{"name":"Bootstrap records"}}');
      expect(JSON.stringify(at(2).metadata)).toBe('{"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":20}}');
      expect(at(3).metadata).toEqual({ type: 'ZK_MIGRATION_STATE_RECORD', version: 0, data: { zkMigrationState: 0 } });
      expect(at(4).metadata).toEqual({ type: 'END_TRANSACTION_RECORD', version: 0, data: {} });

      const topicId = topicIdOf(path.join(logDir, 'foo-0'));
      const topics = recs.filter((r) => r.metadata?.type === 'TOPIC_RECORD').map((r) => r.metadata!.data);
      expect(topics).toEqual([{ name: 'foo', topicId }]);
      const partitions = recs.filter((r) => r.metadata?.type === 'PARTITION_RECORD').map((r) => r.metadata!);
      expect(partitions).toHaveLength(1);
      expect(partitions[0].version).toBe(1);
      expect(partitions[0].data).toMatchObject({ partitionId: 0, topicId, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
      // Version 1 has Directories (one per replica); the tagged LeaderRecoveryState is at its default, so absent.
      const reg = recs.find((r) => r.metadata?.type === 'REGISTER_BROKER_RECORD')!.metadata!;
      expect(reg.version).toBe(3);
      expect(reg.data).toMatchObject({ brokerId: 1, isMigratingZkBroker: false, endPoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 }], rack: null, fenced: true, inControlledShutdown: false });
      expect(partitions[0].data.directories).toEqual(reg.data.logDirs);
      expect(partitions[0].data).not.toHaveProperty('leaderRecoveryState');
      expect(reg.data.features).toEqual([{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 20 }]);

      const changes = recs.filter((r) => r.metadata?.type === 'PARTITION_CHANGE_RECORD').map((r) => r.metadata!.data);
      expect(changes.length).toBeGreaterThan(0);
      for (const c of changes) {
        expect(c.topicId).toBe(topicId);
        expect(Object.keys(c).sort()).toEqual(['leader', 'partitionId', 'topicId']); // only the tagged leader changed
      }
      const fencing = recs.filter((r) => r.metadata?.type === 'BROKER_REGISTRATION_CHANGE_RECORD' && r.metadata.version === 0).map((r) => r.metadata!.data.fenced);
      expect(fencing[0]).toBe(-1); // first change: unfenced
      const pids = recs.find((r) => r.metadata?.type === 'PRODUCER_IDS_RECORD')!.metadata!;
      expect(pids.data).toEqual({ brokerId: 1, brokerEpoch: 6, nextProducerId: 1000 });
    });
  }

  it('kraft-3.8.0-b: the restart added a second LeaderChange; bootstrap.checkpoint has a snapshot header and footer', () => {
    const dir = path.join(CORPUS, 'kraft-3.8.0-b', 'kraft-combined-logs');
    const recs = readMetadataLog(path.join(dir, '__cluster_metadata-0', '00000000000000000000.log'));
    expect(recs.filter((r) => r.control).map((r) => r.offset)).toEqual([0, 81]);
    const boot = readMetadataLog(path.join(dir, 'bootstrap.checkpoint'));
    expect(boot.map((r) => r.control ?? r.metadata)).toEqual([
      { type: 3, typeName: 'SNAPSHOT_HEADER', version: 0, data: { version: 0, lastContainedLogTimestamp: 0 } },
      { type: 'FEATURE_LEVEL_RECORD', version: 0, data: { name: 'metadata.version', featureLevel: 20 } },
      { type: 4, typeName: 'SNAPSHOT_FOOTER', version: 0, data: { version: 0 } },
    ]);
  });
});

describe('decodeClusterMetadataRecord', () => {
  it('names record types the way Kafka\'s MetadataRecordType prints them', () => {
    expect(metadataRecordType(2)).toBe('TOPIC_RECORD');
    expect(metadataRecordName(2)).toBe('TopicRecord');
    expect(metadataRecordType(21)).toBe('ZK_MIGRATION_STATE_RECORD');
    expect(metadataRecordType(27)).toBe('REGISTER_CONTROLLER_RECORD');
    expect(metadataRecordType(11)).toBe('USER_SCRAM_CREDENTIAL_RECORD');
    expect(metadataRecordType(6)).toBeUndefined();
  });

  for (const [apiKey, schema] of METADATA_RECORDS) {
    it(`round-trips ${schema.name} (apiKey ${apiKey}) at versions ${allVersions(schema).join(',')}`, () => {
      for (const version of allVersions(schema)) {
        const value = sampleStruct(schema.fields, apiKey + version);
        const d = decodeClusterMetadataRecord(metadataFrame(apiKey, version, writeMessage(schema, value, version)));
        expect(d).toEqual({ type: metadataRecordType(apiKey), version, data: toKafkaJson(schema.fields, value, version) });
      }
    });
  }

  it('decodes a hand-built PartitionChangeRecord v0 with tagged fields (isr tag 0, leader tag 1)', () => {
    // frame 1, apiKey 5, version 0 | partitionId 3 | topicId | 2 tags: 0 -> [1,2], 1 -> 2
    const topicId = Buffer.alloc(16, 0xab);
    const v = Buffer.concat([hex('01 05 00 00000003'), topicId, hex('02 00 09 03 00000001 00000002 01 04 00000002 00')]);
    // A trailing byte is garbage for MetadataRecordSerde.
    expect(() => decodeClusterMetadataRecord(v)).toThrow('Found 1 byte(s) of garbage after 5');
    const d = decodeClusterMetadataRecord(v.subarray(0, v.length - 1));
    expect(d).toEqual({ type: 'PARTITION_CHANGE_RECORD', version: 0, data: { partitionId: 3, topicId: topicId.toString('base64url'), isr: [1, 2], leader: 2 } });
  });

  it('returns UNKNOWN for an apiKey it does not know, without throwing', () => {
    expect(decodeClusterMetadataRecord(hex('01 63 02 deadbeef'))).toEqual({ type: 'UNKNOWN', apiKey: 99, version: 2, hex: 'deadbeef' });
    expect(decodeClusterMetadataRecord(hex('01 06 00'))).toEqual({ type: 'UNKNOWN', apiKey: 6, version: 0, hex: '' });
  });

  it('rejects bad frames, versions and truncated bodies with typed errors', () => {
    expect(() => decodeClusterMetadataRecord(hex('00 02 00'))).toThrow(/frame version 0/);
    expect(() => decodeClusterMetadataRecord(hex('02 02 00'))).toThrow('unknown frame version 2(only frame version 1 is supported)');
    expect(() => decodeClusterMetadataRecord(hex(''))).toThrow(CorruptRecordError);
    expect(() => decodeClusterMetadataRecord(hex('01 ffff03 00'))).toThrow('Value for type was too large.');
    // A newer version than kseg knows is read like Kafka's generated code would: tagged additions
    // come out as unknown tags, a changed layout as an error.
    const v1 = decodeClusterMetadataRecord(Buffer.concat([hex('01 02 01 04'), Buffer.from('foo'), Buffer.alloc(16), hex('01 07 01 2a')]));
    expect(v1).toEqual({ type: 'TOPIC_RECORD', version: 1, data: { name: 'foo', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', _unknownTaggedFields: [{ tag: 7, hex: '2a' }] } });
    expect(() => decodeClusterMetadataRecord(hex('01 02 01 00'))).toThrow(CorruptRecordError);
    const topic = metadataFrame(2, 0, writeMessage(METADATA_RECORDS.get(2)!, { name: 'foo', topicId: 'v9meXjI1RVKB-NSvF0GXDA' }, 0));
    expect(decodeClusterMetadataRecord(topic)).toEqual({ type: 'TOPIC_RECORD', version: 0, data: { name: 'foo', topicId: 'v9meXjI1RVKB-NSvF0GXDA' } });
    for (let n = 3; n < topic.length; n++) expect(() => decodeClusterMetadataRecord(topic.subarray(0, n))).toThrow(CorruptRecordError);
  });
});

describe('control records', () => {
  it('round-trips every KRaft control record type and prints kafka-dump-log\'s suffixes', () => {
    for (const [type, spec] of CONTROL_RECORDS) {
      const value = sampleStruct(spec.schema.fields, type);
      value.version = 0;
      const bytes = writeMessage(spec.schema, value, 0);
      const d = decodeControlRecordValue(type, bytes) as DecodedControlRecord;
      expect(d).toEqual({ type, typeName: spec.typeName, version: 0, data: toKafkaJson(spec.schema.fields, value, 0) });
      expect(formatControlRecord(type, bytes)).toBe(` ${spec.label} ${JSON.stringify(d.data)}`);
    }
  });

  it('decodes KRaftVersion and Voters records byte for byte', () => {
    // KRaftVersionRecord: version 0, kRaftVersion 1, no tags
    expect(formatControlRecord(5, hex('0000 0001 00'))).toBe(' KRaftVersion {"version":0,"kRaftVersion":1}');
    // VotersRecord: version 0, one voter: id 1, directory id, endpoints [CONTROLLER localhost:9093], feature 0..1
    const dir = Buffer.alloc(16, 7);
    const voters = Buffer.concat([
      hex('0000 02 00000001'), dir,
      hex('02 0b'), Buffer.from('CONTROLLER'), hex('0a'), Buffer.from('localhost'), hex('2385 00'),
      hex('0000 0001 00'), // kRaftVersionFeature + its tag section
      hex('00'), // voter tag section
      hex('00'), // record tag section
    ]);
    expect(decodeControlRecordValue(6, voters)).toEqual({
      type: 6, typeName: 'KRAFT_VOTERS', version: 0,
      data: { version: 0, voters: [{ voterId: 1, voterDirectoryId: dir.toString('base64url'), endpoints: [{ name: 'CONTROLLER', host: 'localhost', port: 9093 }], kRaftVersionFeature: { minSupportedVersion: 0, maxSupportedVersion: 1 } }] },
    });
  });

  it('prints a LeaderChange at the version its data names (read at schema version 0, like ControlRecordUtils)', () => {
    const v1 = hex('0001 00000002 02 00000002 00 01 00'); // version 1, leader 2, voters [2], grantingVoters []
    expect(decodeControlRecordValue(2, v1)).toEqual({
      type: 2, typeName: 'LEADER_CHANGE', version: 1,
      data: { version: 1, leaderId: 2, voters: [{ voterId: 2, voterDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }], grantingVoters: [] },
    });
    expect(formatControlRecord(2, v1, { leaderChange: false })).toBe(' controlType: LEADER_CHANGE(2)');
  });

  it('handles transaction markers and unknown control types', () => {
    expect(decodeControlRecordValue(1, hex('0000 00000005'))).toEqual({ type: 1, typeName: 'COMMIT', version: 0, data: { coordinatorEpoch: 5 } });
    expect(formatControlRecord(0, hex('0000 00000007'))).toBe(' endTxnMarker: ABORT coordinatorEpoch: 7');
    expect(decodeControlRecordValue(9, hex('abcd'))).toEqual({ type: 9, typeName: 'UNKNOWN', hex: 'abcd' });
    expect(formatControlRecord(9, hex('abcd'))).toBe(' controlType: UNKNOWN(9)');
    expect(() => decodeControlRecordValue(3, hex('0000'))).toThrow(CorruptRecordError);
    expect(() => decodeControlRecordValue(0, hex('0000'))).toThrow(CorruptRecordError);
  });
});
