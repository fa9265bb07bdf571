// --offsets-decoder: `__consumer_offsets` records built byte by byte (independent of the writer)
// and with the writer for every record type and version, tombstones, unknown types, and
// GroupMetadataValue members whose consumer-protocol subscription/assignment bytes get re-decoded.

import { describe, expect, it } from 'vitest';
import { CorruptRecordError, UnsupportedFormatError } from '../../src/format/errors.js';
import {
  CONSUMER_PROTOCOL_ASSIGNMENT,
  CONSUMER_PROTOCOL_SUBSCRIPTION,
  decodeOffsetsRecord,
  formatCoordinatorRecord,
  GROUP_RECORDS,
  toKafkaJson,
  writeMessage,
  type StructValue,
} from '../../src/tools/decoders/index.js';
import { allVersions, coordinatorKey, coordinatorValue, hex, int16Prefixed, sampleStruct } from './support.js';

const str16 = (s: string) => Buffer.concat([hex((Buffer.byteLength(s) + 0x10000).toString(16).slice(1)), Buffer.from(s)]);
const i64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};

const OFFSET_KEY = Buffer.concat([hex('0001'), str16('group'), str16('foo'), hex('00000002')]);

describe('OffsetCommit records, byte for byte', () => {
  it('key and value v1 (expireTimestamp), printed like kafka-dump-log', () => {
    const value = Buffer.concat([hex('0001'), i64(10n), str16('meta'), i64(1700000000000n), i64(1700000600000n)]);
    const d = decodeOffsetsRecord(OFFSET_KEY, value);
    expect(d.name).toBe('OffsetCommit');
    expect(formatCoordinatorRecord(d, 7)).toEqual({
      key: '{"type":"1","data":{"group":"group","topic":"foo","partition":2}}',
      payload: '{"version":"1","data":{"offset":10,"metadata":"meta","commitTimestamp":1700000000000,"expireTimestamp":1700000600000}}',
    });
  });

  it('value v3 adds leaderEpoch and drops expireTimestamp', () => {
    const value = Buffer.concat([hex('0003'), i64(42n), hex('00000005'), str16(''), i64(1700000000000n)]);
    expect(decodeOffsetsRecord(OFFSET_KEY, value).value).toEqual({ version: '3', data: { offset: 42, leaderEpoch: 5, metadata: '', commitTimestamp: 1700000000000 } });
  });

  it('value v4 is flexible: compact string, tag section (unknown tags kept)', () => {
    const value = Buffer.concat([hex('0004'), i64(42n), hex('ffffffff'), hex('03'), Buffer.from('md'), i64(1n), hex('01 07 02 beef')]);
    expect(decodeOffsetsRecord(OFFSET_KEY, value).value).toEqual({
      version: '4', data: { offset: 42, leaderEpoch: -1, metadata: 'md', commitTimestamp: 1, _unknownTaggedFields: [{ tag: 7, hex: 'beef' }] },
    });
  });

  it('a value version newer than kseg knows is read as the newest layout (flexible, unknown tags kept)', () => {
    const value = Buffer.concat([hex('0005'), i64(42n), hex('00000001'), hex('01'), i64(1n), hex('01 00 01 01')]);
    expect(decodeOffsetsRecord(OFFSET_KEY, value).value).toEqual({
      version: '5', data: { offset: 42, leaderEpoch: 1, metadata: '', commitTimestamp: 1, _unknownTaggedFields: [{ tag: 0, hex: '01' }] },
    });
  });

  it('a legacy key (type 0) with a v0 value', () => {
    const key = Buffer.concat([hex('0000'), str16('g'), str16('t'), hex('00000000')]);
    const d = decodeOffsetsRecord(key, Buffer.concat([hex('0000'), i64(3n), str16(''), i64(5n)]));
    expect(d).toEqual({
      recordType: 0, name: 'LegacyOffsetCommit',
      key: { type: '0', data: { group: 'g', topic: 't', partition: 0 } },
      value: { version: '0', data: { offset: 3, metadata: '', commitTimestamp: 5 } },
    });
  });

  it('a tombstone prints <DELETE>', () => {
    const d = decodeOffsetsRecord(OFFSET_KEY, null);
    expect(d.value).toBe('<DELETE>');
    expect(formatCoordinatorRecord(d, 0)).toEqual({ key: '{"type":"1","data":{"group":"group","topic":"foo","partition":2}}', payload: '<DELETE>' });
  });
});

const subscription = (version: number, v: StructValue) => int16Prefixed(version, writeMessage(CONSUMER_PROTOCOL_SUBSCRIPTION, v, version));
const assignment = (version: number, v: StructValue) => int16Prefixed(version, writeMessage(CONSUMER_PROTOCOL_ASSIGNMENT, v, version));

function groupMetadata(version: number, protocolType: string, sub: Buffer, asg: Buffer): Buffer {
  const gm = GROUP_RECORDS.get(2)!;
  return coordinatorValue(version, gm.value, {
    protocolType,
    generation: 3,
    protocol: 'range',
    leader: 'member-1',
    currentStateTimestamp: 1700000000000n,
    members: [{ memberId: 'member-1', groupInstanceId: null, clientId: 'client', clientHost: '/127.0.0.1', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription: sub, assignment: asg }],
  });
}

const GROUP_KEY = Buffer.concat([hex('0002'), str16('my-group')]);

describe('GroupMetadata records', () => {
  it('re-decodes a v0 subscription and assignment built byte by byte', () => {
    const sub = Buffer.concat([hex('0000 00000001'), str16('foo'), hex('ffffffff')]);
    const asg = Buffer.concat([hex('0000 00000001'), str16('foo'), hex('00000002 00000000 00000001 ffffffff')]);
    const d = decodeOffsetsRecord(GROUP_KEY, groupMetadata(0, 'consumer', sub, asg));
    expect(d.key).toEqual({ type: '2', data: { group: 'my-group' } });
    expect(JSON.stringify(d.value)).toBe(
      '{"version":"0","data":{"protocolType":"consumer","generation":3,"protocol":"range","leader":"member-1","members":[' +
        '{"memberId":"member-1","clientId":"client","clientHost":"/127.0.0.1","sessionTimeout":45000,' +
        '"subscription":{"topics":["foo"],"userData":null},' +
        '"assignment":{"assignedPartitions":[{"topic":"foo","partitions":[0,1]}],"userData":null}}]}}',
    );
  });

  for (const gmVersion of allVersions(GROUP_RECORDS.get(2)!.value)) {
    it(`GroupMetadataValue v${gmVersion} with consumer protocol v0..v3 members`, () => {
      for (const cpVersion of [0, 1, 2, 3]) {
        const subValue = { topics: ['foo', 'bar'], userData: Buffer.from('ud'), ownedPartitions: [{ topic: 'foo', partitions: [1] }], generationId: 7, rackId: 'rack-a' };
        const asgValue = { assignedPartitions: [{ topic: 'foo', partitions: [0, 1] }, { topic: 'bar', partitions: [] }], userData: null };
        const d = decodeOffsetsRecord(GROUP_KEY, groupMetadata(gmVersion, 'consumer', subscription(cpVersion, subValue), assignment(cpVersion, asgValue)));
        const data = (d.value as unknown as { data: { members: Record<string, unknown>[] } }).data;
        expect(data.members[0].subscription).toEqual(toKafkaJson(CONSUMER_PROTOCOL_SUBSCRIPTION.fields, subValue, cpVersion));
        expect(data.members[0].assignment).toEqual(toKafkaJson(CONSUMER_PROTOCOL_ASSIGNMENT.fields, asgValue, cpVersion));
        expect(Object.keys(data.members[0])).toEqual(
          ['memberId', ...(gmVersion >= 3 ? ['groupInstanceId'] : []), 'clientId', 'clientHost', ...(gmVersion >= 1 ? ['rebalanceTimeout'] : []), 'sessionTimeout', 'subscription', 'assignment'],
        );
        if (cpVersion >= 3) expect(data.members[0].subscription).toMatchObject({ generationId: 7, rackId: 'rack-a', userData: Buffer.from('ud').toString('base64') });
        expect('currentStateTimestamp' in data).toBe(gmVersion >= 2);
      }
    });
  }

  it('keeps the raw bytes (base64) for other protocol types and for undecodable consumer bytes', () => {
    const sub = subscription(1, { topics: ['foo'], userData: null, ownedPartitions: [] });
    const connect = decodeOffsetsRecord(GROUP_KEY, groupMetadata(3, 'connect', sub, hex('0102')));
    const m = (connect.value as unknown as { data: { members: Record<string, unknown>[] } }).data.members[0];
    expect(m.subscription).toBe(sub.toString('base64'));
    expect(m.assignment).toBe('AQI=');
    const broken = decodeOffsetsRecord(GROUP_KEY, groupMetadata(3, 'consumer', hex('0009 00'), hex('00')));
    const b = (broken.value as unknown as { data: { members: Record<string, unknown>[] } }).data.members[0];
    expect(b.subscription).toBe('AAkA');
    expect(b.assignment).toBe('AA==');
  });

  it('an empty group (no members, null protocol)', () => {
    const gm = GROUP_RECORDS.get(2)!;
    const v = coordinatorValue(4, gm.value, { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: -1n, members: [] });
    expect(decodeOffsetsRecord(GROUP_KEY, v).value).toEqual({ version: '4', data: { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: -1, members: [] } });
  });
});

describe('KIP-848, share and streams group records', () => {
  for (const [type, schema] of GROUP_RECORDS) {
    it(`round-trips record type ${type} (${schema.name}) at value versions ${allVersions(schema.value).join(',')}`, () => {
      const keyValue = sampleStruct(schema.key.fields, type);
      for (const version of allVersions(schema.value)) {
        const value = sampleStruct(schema.value.fields, type * 7 + version);
        const d = decodeOffsetsRecord(coordinatorKey(type, schema.key, keyValue), coordinatorValue(version, schema.value, value));
        expect(d.recordType).toBe(type);
        expect(d.name).toBe(schema.name);
        expect(d.key).toEqual({ type: String(type), data: toKafkaJson(schema.key.fields, keyValue, 0) });
        if (type === 2) continue; // GroupMetadataValue members are post-processed (tested above)
        expect(d.value).toEqual({ version: String(version), data: toKafkaJson(schema.value.fields, value, version) });
      }
      expect(decodeOffsetsRecord(coordinatorKey(type, schema.key, keyValue), null).value).toBe('<DELETE>');
    });
  }

  it('ConsumerGroupMemberMetadataValue: the tagged ClassicMemberMetadata appears only when set', () => {
    const s = GROUP_RECORDS.get(5)!;
    const key = coordinatorKey(5, s.key, { groupId: 'g', memberId: 'm' });
    const base = { instanceId: null, rackId: null, clientId: 'c', clientHost: 'h', subscribedTopicNames: ['foo'], subscribedTopicRegex: null, rebalanceTimeoutMs: 30000, serverAssignor: 'uniform' };
    const plain = decodeOffsetsRecord(key, coordinatorValue(0, s.value, { ...base, classicMemberMetadata: null }));
    expect(plain.value).toEqual({ version: '0', data: base });
    const classic = decodeOffsetsRecord(key, coordinatorValue(0, s.value, { ...base, classicMemberMetadata: { sessionTimeoutMs: 45000, supportedProtocols: [{ name: 'range', metadata: Buffer.from([0, 3]) }] } }));
    expect((classic.value as { data: unknown }).data).toEqual({ ...base, classicMemberMetadata: { sessionTimeoutMs: 45000, supportedProtocols: [{ name: 'range', metadata: 'AAM=' }] } });
  });

  it('ConsumerGroupCurrentMemberAssignmentValue byte for byte', () => {
    const topicId = Buffer.alloc(16, 0x11);
    const v = Buffer.concat([hex('0000 00000005 00000004 00'), hex('02'), topicId, hex('03 00000000 00000001 00'), hex('01'), hex('00')]);
    const d = decodeOffsetsRecord(coordinatorKey(8, GROUP_RECORDS.get(8)!.key, { groupId: 'g', memberId: 'm' }), v);
    expect(d.value).toEqual({
      version: '0',
      data: { memberEpoch: 5, previousMemberEpoch: 4, state: 0, assignedPartitions: [{ topicId: topicId.toString('base64url'), partitions: [0, 1] }], partitionsPendingRevocation: [] },
    });
  });
});

describe('errors', () => {
  it('unknown record types are reported, not thrown', () => {
    const d = decodeOffsetsRecord(hex('0063 0001 41'), hex('0000'));
    expect(d).toEqual({ recordType: 99, name: null, key: null, value: null });
    expect(formatCoordinatorRecord(d, 12)).toEqual({ key: 'Unknown record type 99 at offset 12, skipping.' });
  });

  it('missing or short keys, truncated values and unsupported versions throw typed errors', () => {
    expect(() => decodeOffsetsRecord(null, hex('0000'))).toThrow(/missing key/);
    expect(() => decodeOffsetsRecord(hex('00'), null)).toThrow("Could not read version from key's buffer.");
    expect(() => decodeOffsetsRecord(OFFSET_KEY, hex('00'))).toThrow("Could not read version from value's buffer.");
    expect(() => decodeOffsetsRecord(OFFSET_KEY.subarray(0, 6), null)).toThrow(CorruptRecordError);
    expect(() => decodeOffsetsRecord(OFFSET_KEY, hex('ffff'))).toThrow(UnsupportedFormatError);
    expect(() => decodeOffsetsRecord(OFFSET_KEY, Buffer.concat([hex('0009'), i64(1n)]))).toThrow(CorruptRecordError);
    expect(() => decodeOffsetsRecord(OFFSET_KEY, Buffer.concat([hex('0003'), i64(1n)]))).toThrow(CorruptRecordError);
  });
});
