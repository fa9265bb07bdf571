#!/usr/bin/python3
"""Interop oracle for kseg tests, built on Debian's kafka-python (python3-kafka 2.0.2).

Run it with /usr/bin/python3 (Debian's interpreter, the one that can import the
python3-kafka / -lz4 / -snappy / -zstandard / -xxhash / -crc32c packages).

  build   stdin: JSON array of batch specs  -> stdout: JSON array of {"hex", "codecWritten"}
  decode  stdin: {"hex": "...", "headersOnly"?: bool}
                                            -> stdout: {"batches": [...], "records": [...], "remainingBytes": n}
  codecs  (no stdin)                        -> stdout: {"gzip", "snappy", "lz4", "zstd"} booleans

Any failure prints {"error": "<Type>: <message>"} on stdout and exits with code 1.

kafka-python's builders produce what a *producer* sends; the broker then assigns
offsets (and, for LogAppendTime, the timestamp type). To get log-segment bytes,
build applies the same broker-side fix-ups, always through kafka-python's own
encoders, so every CRC is still computed by kafka-python:
  * v2: BaseOffset is set to spec.baseOffset (not covered by the CRC); the
    timestamp-type bit is ORed into the attributes before the CRC is computed.
  * v0/v1 uncompressed: each message is written with offset baseOffset + relative.
  * v0 compressed: inner offsets are absolute (baseOffset + relative); the
    wrapper offset is the last inner offset.
  * v1 compressed: inner offsets stay relative; the wrapper offset is
    baseOffset + last relative offset, the wrapper timestamp is the largest
    inner timestamp (kafka-python alone writes 0), and with timestampType 1
    only the wrapper carries the LogAppendTime bit.
"""
import base64
import json
import struct
import sys

try:
    import kafka.codec as kcodec
    from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
    from kafka.record.legacy_records import LegacyRecordBatchBuilder
    from kafka.record.memory_records import MemoryRecords
except ImportError as exc:  # typically: not run with Debian's /usr/bin/python3
    print(json.dumps({"error": "ImportError: %s (run with /usr/bin/python3)" % exc}))
    sys.exit(1)

BATCH_SIZE_LIMIT = 1 << 30  # never make the builders refuse an append

CODEC_IDS = {
    "none": DefaultRecordBatchBuilder.CODEC_NONE,
    "gzip": DefaultRecordBatchBuilder.CODEC_GZIP,
    "snappy": DefaultRecordBatchBuilder.CODEC_SNAPPY,
    "lz4": DefaultRecordBatchBuilder.CODEC_LZ4,
    "zstd": DefaultRecordBatchBuilder.CODEC_ZSTD,
}
CODEC_NAMES = {v: k for k, v in CODEC_IDS.items()}

V2_ATTRIBUTES_OFFSET = 21  # BaseOffset(8) Length(4) LeaderEpoch(4) Magic(1) CRC(4)
LEGACY_ATTRIBUTES_OFFSET = 17  # Offset(8) Size(4) CRC(4) Magic(1)


def b64(data):
    return None if data is None else base64.b64encode(bytes(data)).decode("ascii")


def unb64(text):
    return None if text is None else base64.b64decode(text)


def codec_name(codec_id):
    return CODEC_NAMES.get(codec_id, "unknown(%d)" % codec_id)


class BrokerStampedDefaultBuilder(DefaultRecordBatchBuilder):
    """v2 builder that also sets the timestamp-type attribute bit (done by the broker)."""
    __slots__ = ("_timestamp_type",)

    def __init__(self, timestamp_type, **kwargs):
        super().__init__(**kwargs)
        self._timestamp_type = timestamp_type

    def _get_attributes(self, include_compression_type=True):
        attrs = super()._get_attributes(include_compression_type)
        if self._timestamp_type == 1:
            attrs |= self.TIMESTAMP_TYPE_MASK
        return attrs


class BrokerStampedLegacyBuilder(LegacyRecordBatchBuilder):
    """v0/v1 builder whose compressed wrapper gets a real timestamp and timestamp type."""
    __slots__ = ("_timestamp_type", "_max_timestamp")

    def __init__(self, magic, compression_type, timestamp_type):
        super().__init__(magic, compression_type, BATCH_SIZE_LIMIT)
        self._timestamp_type = timestamp_type
        self._max_timestamp = -1

    def append(self, offset, timestamp, key, value, headers=None):
        meta = super().append(offset, timestamp, key, value, headers)
        self._max_timestamp = max(self._max_timestamp, meta.timestamp)
        return meta

    def _encode_msg(self, start_pos, offset, timestamp, key, value, attributes=0):
        is_wrapper = bool(attributes & self.CODEC_MASK)
        if self._magic == 1:
            if is_wrapper:
                timestamp = self._max_timestamp
            if self._timestamp_type == 1 and (is_wrapper or not self._compression_type):
                attributes |= self.TIMESTAMP_TYPE_MASK
        return super()._encode_msg(start_pos, offset, timestamp, key, value, attributes)


def build_one(spec):
    magic = spec.get("magic", 2)
    codec = spec.get("codec", "none")
    if codec not in CODEC_IDS:
        raise ValueError("unknown codec %r" % codec)
    if magic not in (0, 1, 2):
        raise ValueError("unsupported magic %r" % magic)
    if codec == "zstd" and magic < 2:
        raise ValueError("zstd requires magic 2")
    records = spec.get("records") or []
    if not records:
        raise ValueError("a batch needs at least one record")
    base_offset = spec.get("baseOffset", 0)
    ts_type = spec.get("timestampType", 0)

    if magic == 2:
        builder = BrokerStampedDefaultBuilder(
            ts_type, magic=2, compression_type=CODEC_IDS[codec],
            is_transactional=spec.get("isTransactional", False),
            producer_id=spec.get("producerId", -1),
            producer_epoch=spec.get("producerEpoch", -1),
            base_sequence=spec.get("baseSequence", -1),
            batch_size=BATCH_SIZE_LIMIT)
    else:
        builder = BrokerStampedLegacyBuilder(magic, CODEC_IDS[codec], ts_type)

    last_relative = None
    for index, rec in enumerate(records):
        relative = rec.get("offset", index)
        headers = [(k, unb64(v)) for k, v in rec.get("headers") or []]
        if magic == 2:
            offset = relative  # v2 records store an offset delta
        elif magic == 1 and codec != "none":
            offset = relative  # v1 inner messages are relative to the wrapper
            if headers:
                raise ValueError("headers need magic 2")
        else:
            offset = base_offset + relative  # v0 inner and uncompressed legacy: absolute
            if headers:
                raise ValueError("headers need magic 2")
        builder.append(offset, rec.get("timestamp"), unb64(rec.get("key")),
                       unb64(rec.get("value")), headers if magic == 2 else None)
        last_relative = relative

    buf = bytearray(builder.build())
    if magic == 2:
        struct.pack_into(">q", buf, 0, base_offset)
        if "partitionLeaderEpoch" in spec:
            struct.pack_into(">i", buf, 12, spec["partitionLeaderEpoch"])
        written = struct.unpack_from(">h", buf, V2_ATTRIBUTES_OFFSET)[0]
    else:
        if codec != "none":
            # wrapper offset = absolute offset of the last inner message
            struct.pack_into(">q", buf, 0, base_offset + last_relative)
        written = buf[LEGACY_ATTRIBUTES_OFFSET]
    return {"hex": buf.hex(), "codecWritten": codec_name(written & 0x07)}


def cmd_build(stdin_text):
    specs = json.loads(stdin_text)
    if not isinstance(specs, list):
        raise ValueError("build expects a JSON array of batch specs")
    return [build_one(spec) for spec in specs]


def describe_batch(batch):
    # validate_crc() must run before iteration: iterating replaces the buffer
    # with the decompressed payload.
    info = {
        "magic": batch.magic if isinstance(batch, DefaultRecordBatch) else batch._magic,
        "crcValid": bool(batch.validate_crc()),
        "codec": codec_name(batch.compression_type),
        "timestampType": batch.timestamp_type,
    }
    if isinstance(batch, DefaultRecordBatch):
        h = batch._header_data  # the unpacked HEADER_STRUCT tuple
        info.update({
            "baseOffset": h[0], "length": h[1], "partitionLeaderEpoch": h[2],
            "crc": h[4], "attributes": h[5], "lastOffsetDelta": h[6],
            "firstTimestamp": h[7], "maxTimestamp": h[8], "producerId": h[9],
            "producerEpoch": h[10], "baseSequence": h[11], "recordCount": h[12],
            "isTransactional": batch.is_transactional,
            "isControl": batch.is_control_batch,
        })
    else:
        info.update({
            "baseOffset": batch._offset,  # legacy: the (wrapper) message's offset
            "crc": batch._crc, "attributes": batch._attributes,
            "timestamp": batch._timestamp,  # None for v0
        })
    return info


def cmd_decode(stdin_text):
    request = json.loads(stdin_text)
    data = bytes.fromhex(request["hex"])
    # headersOnly: report batch headers and CRC validity without iterating
    # (i.e. without decompressing or parsing records, which may raise).
    headers_only = bool(request.get("headersOnly", False))
    memory = MemoryRecords(data)
    batches, records = [], []
    while True:
        batch = memory.next_batch()
        if batch is None:
            break
        batches.append(describe_batch(batch))
        if headers_only:
            continue
        for rec in batch:
            records.append({
                "batchIndex": len(batches) - 1,
                "offset": rec.offset,
                "timestamp": rec.timestamp,
                "timestampType": rec.timestamp_type,
                "key": b64(rec.key),
                "value": b64(rec.value),
                "headers": [[k, b64(v)] for k, v in rec.headers],
            })
    # bytes after the last complete batch (a truncated tail is not an error here)
    remaining = len(data) - memory.valid_bytes()
    return {"batches": batches, "records": records, "remainingBytes": remaining}


def cmd_codecs(_stdin_text):
    return {"gzip": kcodec.has_gzip(), "snappy": kcodec.has_snappy(),
            "lz4": kcodec.has_lz4(), "zstd": kcodec.has_zstd()}


COMMANDS = {"build": cmd_build, "decode": cmd_decode, "codecs": cmd_codecs}


def main(argv):
    if len(argv) != 2 or argv[1] not in COMMANDS:
        sys.stderr.write("usage: %s build|decode|codecs  (JSON on stdin/stdout)\n" % argv[0])
        return 2
    try:
        stdin_text = "" if argv[1] == "codecs" else sys.stdin.read()
        result = COMMANDS[argv[1]](stdin_text)
    except Exception as exc:  # any failure is reported as JSON
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
