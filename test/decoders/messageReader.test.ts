// The message-generator interpreter: byte-exact reads of hand-built encodings (independent of
// the writer), writer/reader round trips, Kafka's JSON rules for tagged fields, and malformed
// input that must end in a typed error (never a RangeError).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, KsegError, UnsupportedFormatError } from '../../src/format/errors.js';
import {
  decodeMessage,
  readMessage,
  toKafkaJson,
  uuidFromString,
  uuidToString,
  WireReader,
  ZERO_UUID,
  type StructValue,
} from '../../src/tools/decoders/messageReader.js';
import { WireWriter, writeMessage } from '../../src/tools/decoders/messageWriter.js';
import { f, message } from '../../src/tools/decoders/schema.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// A test schema that uses every type, flexible from version 2, with tagged fields from 2.
const Inner = [f('Name', 'string', '0+'), f('Weight', 'float64', '0+')];
const TEST = message('TestMessage', '0-3', '2+', [
  f('Flag', 'bool', '0+'),
  f('Small', 'int8', '0+'),
  f('Short', 'int16', '0+'),
  f('Port', 'uint16', '0+'),
  f('Count', 'int32', '0+', { default: -1 }),
  f('Big', 'uint32', '1+'),
  f('Long', 'int64', '0+'),
  f('Id', 'uuid', '0+'),
  f('Text', 'string', '0+', { nullable: '0+' }),
  f('Blob', 'bytes', '0+', { nullable: '1+' }),
  f('Numbers', '[]int32', '0+'),
  f('Names', '[]string', '1+', { nullable: '1+' }),
  f('Items', '[]struct', '0+', {}, Inner),
  f('Nested', 'struct', '1+', {}, Inner),
  f('TaggedNum', 'int32', '2+', { tagged: '2+', tag: 0, default: 7 }),
  f('TaggedList', '[]int32', '2+', { nullable: '2+', tagged: '2+', tag: 3, default: null }),
  f('TaggedStruct', 'struct', '3+', { nullable: '3+', tagged: '3+', tag: 5, default: null }, Inner),
]);

const UUID_BYTES = hex('00112233445566778899aabbccddeeff');

function sample(version: number): StructValue {
  return {
    flag: true,
    small: -5,
    short: -300,
    port: 65535,
    count: 42,
    big: 4294967295,
    long: -1234567890123n,
    id: uuidToString(UUID_BYTES),
    text: 'héllo',
    blob: version >= 1 ? null : Buffer.from([1, 2, 3]),
    numbers: [1, -1, 2147483647],
    names: version >= 1 ? ['a', ''] : [],
    items: [{ name: 'x', weight: 1.5 }, { name: '', weight: -0 }],
    nested: { name: 'n', weight: 2 },
    taggedNum: version >= 2 ? 9 : 7,
    taggedList: version >= 2 ? [4, 5] : null,
    taggedStruct: version >= 3 ? { name: 't', weight: 0.25 } : null,
  };
}

describe('Uuid', () => {
  it('prints Kafka\'s 22-char base64url form and parses it back', () => {
    const s = uuidToString(UUID_BYTES);
    expect(s).toBe('ABEiM0RVZneImaq7zN3u_w');
    expect(s).toHaveLength(22);
    expect(uuidFromString(s)).toEqual(UUID_BYTES);
    expect(uuidToString(Buffer.alloc(16))).toBe(ZERO_UUID);
    expect(() => uuidFromString('short')).toThrow(CorruptRecordError);
  });
});

describe('readMessage on hand-built bytes', () => {
  it('reads a non-flexible version: int16 string lengths, int32 array/bytes lengths, no tag section', () => {
    const bytes = hex(`
      01 fb fed4 ffff 0000002a
      fffffee08e04fb35
      00112233445566778899aabbccddeeff
      0006 68c3a96c6c6f
      00000003 010203
      00000001 00000007
      00000001 0001 78 3ff8000000000000`);
    const v = decodeMessage(TEST, bytes, 0);
    expect(v).toMatchObject({ flag: true, small: -5, short: -300, port: 65535, count: 42, long: -1234567890123n, text: 'héllo', numbers: [7] });
    expect(v.blob).toEqual(Buffer.from([1, 2, 3]));
    expect(v.items).toEqual([{ name: 'x', weight: 1.5 }]);
    // Fields from later versions take their defaults.
    expect(v.big).toBe(0);
    expect(v.names).toEqual([]);
    expect(v.nested).toEqual({ name: '', weight: 0 });
    expect(v.taggedNum).toBe(7);
    expect(toKafkaJson(TEST.fields, v, 0)).toEqual({
      flag: true, small: -5, short: -300, port: 65535, count: 42, long: -1234567890123, id: 'ABEiM0RVZneImaq7zN3u_w',
      text: 'héllo', blob: 'AQID', numbers: [7], items: [{ name: 'x', weight: 1.5 }],
    });
  });

  it('reads a flexible version: compact lengths, per-struct tag sections, known and unknown tags', () => {
    const w = new WireWriter();
    w.push(hex('00 01 0001 0002 00000003 00000004 0000000000000005'));
    w.push(Buffer.alloc(16));
    w.push(hex('00 03aabb 0200000009 020261'));
    w.push(hex('02 0269')).float64(0.5).push(hex('00')); // items: [{name: 'i', weight: 0.5}] + its tag section
    w.push(hex('026e')).float64(3).push(hex('01 0902 abcd')); // nested {n, 3} with unknown tag 9 (2 bytes)
    // top-level tags: 0 -> int32 11; 3 -> [1,2]; 4 (unknown) -> 1 byte
    w.push(hex('03 00 04 0000000b 03 09 03 00000001 00000002 04 01 ff'));
    const v = decodeMessage(TEST, w.toBuffer(), 2);
    expect(v).toMatchObject({ flag: false, small: 1, short: 1, port: 2, count: 3, big: 4, long: 5n, id: ZERO_UUID, text: null, numbers: [9], names: ['a'] });
    expect(v.blob).toEqual(hex('aabb'));
    expect(v.items).toEqual([{ name: 'i', weight: 0.5 }]);
    expect(v.nested).toEqual({ name: 'n', weight: 3, _unknownTaggedFields: [{ tag: 9, hex: 'abcd' }] });
    expect(v.taggedNum).toBe(11);
    expect(v.taggedList).toEqual([1, 2]);
    expect(v._unknownTaggedFields).toEqual([{ tag: 4, hex: 'ff' }]);
    const json = toKafkaJson(TEST.fields, v, 2);
    expect(json.taggedNum).toBe(11);
    expect(json.taggedList).toEqual([1, 2]);
    expect('taggedStruct' in json).toBe(false); // not in version 2
    expect(json._unknownTaggedFields).toEqual([{ tag: 4, hex: 'ff' }]);
    // The writer reproduces the same bytes (tags sorted, unknown tags merged in).
    expect(writeMessage(TEST, v, 2)).toEqual(w.toBuffer());
  });

  it('omits tagged fields at their default from the JSON, like Kafka\'s JsonConverter', () => {
    const v = sample(3);
    v.taggedNum = 7;
    v.taggedList = null;
    const json = toKafkaJson(TEST.fields, v, 3);
    expect(Object.keys(json)).not.toContain('taggedNum');
    expect(Object.keys(json)).not.toContain('taggedList');
    expect(json.taggedStruct).toEqual({ name: 't', weight: 0.25 });
    // And the writer does not write them at all: the tag section holds only tag 5.
    const back = decodeMessage(TEST, writeMessage(TEST, v, 3), 3);
    expect(back.taggedNum).toBe(7);
    expect(back.taggedList).toBeNull();
  });

  it('prints int64 beyond 2^53 as an exact decimal string and non-finite doubles as strings', () => {
    const v = sample(2);
    v.long = 9223372036854775807n;
    v.items = [{ name: 'nan', weight: NaN }];
    const json = toKafkaJson(TEST.fields, decodeMessage(TEST, writeMessage(TEST, v, 2), 2), 2);
    expect(json.long).toBe('9223372036854775807');
    expect(json.items).toEqual([{ name: 'nan', weight: 'NaN' }]);
  });
});

describe('round trips', () => {
  for (const version of [0, 1, 2, 3]) {
    it(`writes and reads back every field at version ${version}`, () => {
      const v = sample(version);
      const bytes = writeMessage(TEST, v, version);
      const back = decodeMessage(TEST, bytes, version);
      const json = toKafkaJson(TEST.fields, back, version);
      expect(json).toEqual(toKafkaJson(TEST.fields, v, version));
      expect(writeMessage(TEST, back, version)).toEqual(bytes);
    });
  }
});

describe('malformed input', () => {
  const expectTyped = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(KsegError);
      expect(e).not.toBeInstanceOf(RangeError);
      return e as KsegError;
    }
    return null;
  };

  it('reads versions above the highest like Kafka\'s generated code, rejects versions below the lowest', () => {
    const v4 = decodeMessage(TEST, writeMessage(TEST, sample(3), 4), 4);
    expect(toKafkaJson(TEST.fields, v4, 4)).toEqual(toKafkaJson(TEST.fields, sample(3), 3));
    const S = message('S', '1-2', '2+', [f('A', 'int8', '0+')]);
    expect(() => decodeMessage(S, Buffer.alloc(1), 0)).toThrow(UnsupportedFormatError);
    expect(() => decodeMessage(S, Buffer.alloc(1), 0)).toThrow("Can't read version 0 of S");
    expect(() => decodeMessage(TEST, Buffer.alloc(100), -1)).toThrow("Can't read version -1 of TestMessage");
  });

  it('every truncation of a valid encoding throws CorruptRecordError', () => {
    for (const version of [0, 1, 2, 3]) {
      const bytes = writeMessage(TEST, sample(version), version);
      for (let n = 0; n < bytes.length; n++) {
        const e = expectTyped(() => decodeMessage(TEST, bytes.subarray(0, n), version));
        expect(e).toBeInstanceOf(CorruptRecordError);
      }
    }
  });

  it('reports trailing garbage, a null in a non-nullable field, oversized arrays and tags used in the wrong version', () => {
    const ok = writeMessage(TEST, sample(2), 2);
    expect(() => decodeMessage(TEST, Buffer.concat([ok, hex('00')]), 2)).toThrow('Found 1 byte(s) of garbage after TestMessage');
    expect(decodeMessage(TEST, Buffer.concat([ok, hex('00')]), 2, 'ignore').count).toBe(42);

    const S = message('S', '0-1', '1+', [f('A', 'string', '0+'), f('L', '[]int32', '0+'), f('T', 'int8', '1+', { tagged: '1+', tag: 0 })]);
    expect(() => decodeMessage(S, hex('ffff 00000000'), 0)).toThrow('non-nullable field a was serialized as null');
    expect(() => decodeMessage(S, hex('0000 7fffffff'), 0)).toThrow('Tried to allocate a collection of size 2147483647');
    expect(() => decodeMessage(S, hex('01 ffffffff0f'), 1)).toThrow(CorruptRecordError);
    expect(decodeMessage(S, hex('01 01 01 00 01 05'), 1).t).toBe(5);
    expect(() => decodeMessage(S, hex('01 01 01 00 02 0500'), 1)).toThrow('used 1 of its 2 bytes');
    expect(() => decodeMessage(S, hex('01 01 01 05 7f'), 1)).toThrow('Tagged field 5 of size 127 runs past the end');
    // A varint longer than 5 bytes.
    expect(() => decodeMessage(S, hex('ffffffffff01'), 1)).toThrow('too long');
  });

  it('random bytes and random corruption never escape as anything but KsegError', () => {
    const valid = [0, 1, 2, 3].map((v) => ({ v, bytes: writeMessage(TEST, sample(v), v) }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 3 }), (arr, version) => {
        expectTyped(() => decodeMessage(TEST, Buffer.from(arr), version));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (vi, flips) => {
        const { v, bytes } = valid[vi];
        const b = Buffer.from(bytes);
        for (const [i, x] of flips) b[i % b.length] = x;
        expectTyped(() => decodeMessage(TEST, b, v));
      }),
      { numRuns: 3000 },
    );
  });

  it('WireReader reads never pass their end', () => {
    const r = new WireReader(hex('0102030405'), 1, 3);
    expect(r.int16()).toBe(0x0203);
    expect(() => r.int8()).toThrow(CorruptRecordError);
    expect(() => readMessage(TEST, new WireReader(Buffer.alloc(0)), 0)).toThrow(CorruptRecordError);
  });
});

describe('decoders on random input', () => {
  it('decodeClusterMetadataRecord / decodeOffsetsRecord / decodeTransactionLogRecord / decodeControlRecordValue only throw KsegError', async () => {
    const d = await import('../../src/tools/decoders/index.js');
    const typed = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        if (!(e instanceof KsegError)) throw e;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 8 }), (a, b, t) => {
        const x = Buffer.from(a);
        const y = Buffer.from(b);
        // Steer some inputs to known framings so the bodies get parsed, not just rejected.
        const meta = Buffer.concat([Buffer.from([1, t * 3, t % 4]), y]);
        const key = Buffer.concat([Buffer.from([0, t * 2]), x]);
        const value = Buffer.concat([Buffer.from([0, t % 5]), y]);
        typed(() => d.decodeClusterMetadataRecord(x));
        typed(() => d.decodeClusterMetadataRecord(meta));
        typed(() => d.decodeOffsetsRecord(key, value));
        typed(() => d.decodeOffsetsRecord(x, t % 2 ? null : y));
        typed(() => d.decodeTransactionLogRecord(Buffer.concat([Buffer.from([0, 0]), x]), value));
        typed(() => d.decodeControlRecordValue(t, y));
      }),
      { numRuns: 5000 },
    );
  });
});
