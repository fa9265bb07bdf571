// Kafka's kafka-dump-log lines, rebuilt in the tests from the Java source
// (apache/kafka:tools/src/main/java/org/apache/kafka/tools/DumpLogSegments.java, K-2026 in
// /work/shared/reference/kafka-tools.md §1.3). Nothing here imports kseg's formatter or decoder: the
// field values come from an independent source (the corpus oracle files, kafka-python) and are
// concatenated in the order of printBatchLevel / printRecordMetadata / printRecordContents.

/** The fields printBatchLevel reads from a FileChannelRecordBatch. */
export interface KafkaBatchFields {
  magic: number;
  /** v2: baseOffset(); legacy: not printed. */
  baseOffset: number;
  lastOffset: number;
  /** countOrNull() (v2 only). */
  count: number;
  baseSequence: number;
  lastSequence: number;
  producerId: number;
  producerEpoch: number;
  partitionLeaderEpoch: number;
  isTransactional: boolean;
  isControl: boolean;
  /** deleteHorizonMs(): null = OptionalLong.empty. */
  deleteHorizonMs: number | null;
  /** Accumulated sizes of the batches before it (Kafka's `validBytes`). */
  position: number;
  timestampType: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  maxTimestamp: number;
  sizeInBytes: number;
  compression: string;
  /** checksum(): unsigned 32-bit. */
  crc: number;
  isValid: boolean;
}

const optionalLong = (v: number | null): string => (v === null ? 'OptionalLong.empty' : 'OptionalLong[' + v + ']');

/** printBatchLevel, one line (without the newline). */
export function kafkaBatchLine(b: KafkaBatchFields): string {
  let s: string;
  if (b.magic >= 2) {
    s =
      'baseOffset: ' + b.baseOffset +
      ' lastOffset: ' + b.lastOffset +
      ' count: ' + b.count +
      ' baseSequence: ' + b.baseSequence +
      ' lastSequence: ' + b.lastSequence +
      ' producerId: ' + b.producerId +
      ' producerEpoch: ' + b.producerEpoch +
      ' partitionLeaderEpoch: ' + b.partitionLeaderEpoch +
      ' isTransactional: ' + b.isTransactional +
      ' isControl: ' + b.isControl +
      ' deleteHorizonMs: ' + optionalLong(b.deleteHorizonMs);
  } else {
    s = 'offset: ' + b.lastOffset;
  }
  return (
    s +
    ' position: ' + b.position +
    ' ' + b.timestampType + ': ' + b.maxTimestamp +
    ' size: ' + b.sizeInBytes +
    ' magic: ' + b.magic +
    ' compresscodec: ' + b.compression +
    ' crc: ' + b.crc +
    ' isvalid: ' + b.isValid
  );
}

/** The fields printRecordMetadata / printRecordContents read from a Record. */
export interface KafkaRecordFields {
  magic: number;
  offset: number;
  /** The batch's timestampType() name. */
  timestampType: string;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** v2 */
  sequence: number;
  headerKeys: string[];
  /** legacy: the (inner) message's isValid() and checksum(). */
  legacyIsValid?: boolean;
  legacyCrc?: number;
  /** Text after the metadata of a control record (printControlRecord), when the batch is a control batch. */
  control?: string;
}

/** Java's `new String(bytes, UTF_8)` (StringDecoder): malformed input becomes U+FFFD. */
export const javaUtf8 = (b: Buffer): string => new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(b);

/**
 * One record's output: printRecordMetadata (unless skipRecordMetadata), printRecordContents (when
 * printContents and not a control batch), then println(). May contain newlines when values do.
 */
export function kafkaRecordLine(r: KafkaRecordFields, opts: { printContents: boolean; skipRecordMetadata?: boolean; decode?: (b: Buffer) => string }): string {
  let s = '';
  if (!opts.skipRecordMetadata) {
    s += '|' + ' ' + 'offset: ' + r.offset + ' ' + r.timestampType + ': ' + r.timestamp + ' keySize: ' + (r.key ? r.key.length : -1) + ' valueSize: ' + (r.value ? r.value.length : -1);
    if (r.magic >= 2) s += ' sequence: ' + r.sequence + ' headerKeys: ' + '[' + r.headerKeys.join(',') + ']';
    if (r.magic < 2) s += ' isValid: ' + r.legacyIsValid + ' crc: ' + r.legacyCrc;
    if (r.control !== undefined) s += r.control;
  }
  if (opts.printContents && r.control === undefined) {
    const decode = opts.decode ?? javaUtf8;
    let prefix = opts.skipRecordMetadata ? '|' + ' ' : ' ';
    if (r.key !== null) {
      s += prefix + 'key: ' + decode(r.key);
      prefix = ' ';
    }
    if (r.value !== null) s += prefix + 'payload: ' + decode(r.value);
  }
  return s;
}

/** DefaultRecordBatch.incrementSequence */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > 2147483647 - increment) return increment - (2147483647 - sequence) - 1;
  return sequence + increment;
}

/** DefaultRecord.sequence() for the record at `offsetDelta` of a batch with `baseSequence`. */
export const recordSequence = (baseSequence: number, offsetDelta: number): number => (baseSequence === -1 ? -1 : incrementSequence(baseSequence, offsetDelta));

// ---- printControlRecord, from the control record's raw key/value bytes -------------------------
// Control key: int16 version, int16 type (ControlRecordType). The KRaft bodies are flexible-version
// messages (LeaderChangeMessage, SnapshotHeaderRecord, SnapshotFooterRecord, ...) printed by their
// generated JsonConverter; the ones the corpus holds are decoded here by hand from their JSON specs.

class Wire {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  int16 = () => ((this.pos += 2), this.b.readInt16BE(this.pos - 2));
  int32 = () => ((this.pos += 4), this.b.readInt32BE(this.pos - 4));
  int64 = () => ((this.pos += 8), Number(this.b.readBigInt64BE(this.pos - 8)));
  uvarint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const x = this.b[this.pos++];
      v += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return v;
      shift += 7;
    }
  };
  /** Tagged fields: the corpus has none; fail loudly if some appear. */
  noTags = () => {
    const n = this.uvarint();
    if (n !== 0) throw new Error(`unexpected ${n} tagged fields`);
  };
  done = () => {
    if (this.pos !== this.b.length) throw new Error(`${this.b.length - this.pos} bytes left`);
  };
}

/** printControlRecord's text for a control record. */
export function kafkaControlSuffix(key: Buffer, value: Buffer): string {
  const type = key.readInt16BE(2);
  const w = new Wire(value);
  switch (type) {
    case 0:
    case 1: {
      // EndTransactionMarker: int16 version, int32 coordinatorEpoch
      w.int16();
      const coordinatorEpoch = w.int32();
      return ' endTxnMarker: ' + (type === 0 ? 'ABORT' : 'COMMIT') + ' coordinatorEpoch: ' + coordinatorEpoch;
    }
    case 2: {
      // LeaderChangeMessage v0 (flexible): Version int16, LeaderId int32, Voters []Voter, GrantingVoters []Voter
      const version = w.int16();
      const leaderId = w.int32();
      const voters = () => {
        const n = w.uvarint() - 1;
        const out: { voterId: number }[] = [];
        for (let i = 0; i < n; i++) {
          out.push({ voterId: w.int32() });
          w.noTags();
        }
        return out;
      };
      const json = { version, leaderId, voters: voters(), grantingVoters: voters() };
      w.noTags();
      w.done();
      return ' LeaderChange: ' + JSON.stringify(json);
    }
    case 3: {
      // SnapshotHeaderRecord v0: Version int16, LastContainedLogTimestamp int64
      const json = { version: w.int16(), lastContainedLogTimestamp: w.int64() };
      w.noTags();
      w.done();
      return ' SnapshotHeader ' + JSON.stringify(json);
    }
    case 4: {
      // SnapshotFooterRecord v0: Version int16
      const json = { version: w.int16() };
      w.noTags();
      w.done();
      return ' SnapshotFooter ' + JSON.stringify(json);
    }
    default:
      throw new Error(`control type ${type}: not decoded by the test`);
  }
}
