// kafka-dump-log's text lines for dump events, byte for byte (Kafka's current Java tool; see README
// for where older Scala versions differ). Problems are collected and printed to stderr at the end in
// Kafka's grouped report format, followed by kseg's own one-line problem reports.

import { basename, resolve } from 'node:path';
import type { BatchEvent, DumpEvent, ProblemEvent, RecordEvent } from '../tools/dumpEvents.js';

const optionalLong = (v: number | null | undefined) => (v === null || v === undefined ? 'OptionalLong.empty' : `OptionalLong[${v}]`);

const ZEROS = '000000000';
/**
 * Decimal text of an integer, like String(n) (and Java's Long.toString). Timestamps (~1.7e12) are
 * not small integers, and V8's generic number-to-string for them is several times slower than two
 * small-integer conversions, which a long dump pays on every record line.
 */
export function longText(n: number): string {
  if (n < 1e9 || n > Number.MAX_SAFE_INTEGER || !Number.isInteger(n)) return String(n);
  const hi = Math.floor(n / 1e9);
  const lo = String(n - hi * 1e9);
  return `${hi}${ZEROS.slice(lo.length)}${lo}`;
}

export function batchLine(b: BatchEvent): string {
  const head =
    b.magic >= 2
      ? `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.count} baseSequence: ${b.baseSequence} lastSequence: ${b.lastSequence} ` +
        `producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} partitionLeaderEpoch: ${b.partitionLeaderEpoch} isTransactional: ${b.isTransactional} ` +
        `isControl: ${b.isControl} deleteHorizonMs: ${optionalLong(b.deleteHorizonMs)}`
      : `offset: ${b.lastOffset}`;
  return `${head} position: ${b.position} ${b.timestampType}: ${longText(b.maxTimestamp)} size: ${b.size} magic: ${b.magic} compresscodec: ${b.compressCodec} crc: ${b.crc} isvalid: ${b.isValid}`;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function controlSuffix(r: RecordEvent): string {
  const c = r.control!;
  switch (c.type) {
    case 'ABORT':
    case 'COMMIT':
      return ` endTxnMarker: ${c.type} coordinatorEpoch: ${c.coordinatorEpoch}`;
    case 'LEADER_CHANGE':
      return c.data !== undefined ? ` LeaderChange: ${asText(c.data)}` : ` controlType: ${c.type}(${c.typeId})`;
    case 'SNAPSHOT_HEADER':
      return c.data !== undefined ? ` SnapshotHeader ${asText(c.data)}` : ` controlType: ${c.type}(${c.typeId})`;
    case 'SNAPSHOT_FOOTER':
      return c.data !== undefined ? ` SnapshotFooter ${asText(c.data)}` : ` controlType: ${c.type}(${c.typeId})`;
    case 'KRAFT_VERSION':
      return c.data !== undefined ? ` KRaftVersion ${asText(c.data)}` : ` controlType: ${c.type}(${c.typeId})`;
    case 'KRAFT_VOTERS':
      return c.data !== undefined ? ` KRaftVoters ${asText(c.data)}` : ` controlType: ${c.type}(${c.typeId})`;
    default:
      return ` controlType: ${c.type}(${c.typeId})`;
  }
}

export function recordLine(r: RecordEvent, skipMetadata: boolean): string {
  let line = '';
  if (!skipMetadata) {
    line = `| offset: ${longText(r.offset)} ${r.timestampType}: ${longText(r.timestamp)} keySize: ${r.keySize} valueSize: ${r.valueSize}`;
    if (r.magic >= 2) line += ` sequence: ${r.sequence} headerKeys: [${r.headerKeys === undefined || r.headerKeys.length === 0 ? '' : r.headerKeys.join(',')}]`;
    else line += ` isValid: ${r.isValid} crc: ${r.crc}`;
    if (r.control) line += controlSuffix(r);
  }
  if (!r.control) {
    let prefix = skipMetadata ? '| ' : ' ';
    const key = r.decodedKey !== undefined ? asText(r.decodedKey) : r.key;
    const value = r.decodedValue !== undefined ? asText(r.decodedValue) : r.value;
    if (key !== undefined && key !== null) {
      line += `${prefix}key: ${key}`;
      prefix = ' ';
    }
    if (value !== undefined && value !== null) line += `${prefix}payload: ${value}`;
  }
  return line;
}

/** Renders events to lines; `problems` keeps what goes to stderr at the end. */
export class DumpTextRenderer {
  readonly problems: ProblemEvent[] = [];
  private readonly errLines: string[] = [];

  constructor(private readonly skipRecordMetadata: boolean) {}

  /** The stdout line for an event, or null when it prints nothing on stdout. */
  line(ev: DumpEvent): string | null {
    switch (ev.type) {
      case 'file':
        return `Dumping ${ev.file}`;
      case 'header':
        return ev.text;
      case 'batch':
        return batchLine(ev);
      case 'record':
        return recordLine(ev, this.skipRecordMetadata);
      case 'indexEntry':
        return `offset: ${ev.offset} position: ${ev.position}`;
      case 'timeIndexEntry':
        return `timestamp: ${ev.timestamp} offset: ${ev.offset}`;
      case 'abortedTxn':
        return `version: ${ev.version} producerId: ${ev.producerId} firstOffset: ${ev.firstOffset} lastOffset: ${ev.lastOffset} lastStableOffset: ${ev.lastStableOffset}`;
      case 'producerState':
        return (
          `producerId: ${ev.producerId} producerEpoch: ${ev.producerEpoch} coordinatorEpoch: ${ev.coordinatorEpoch} currentTxnFirstOffset: ${optionalLong(ev.currentTxnFirstOffset)} ` +
          `lastTimestamp: ${ev.lastTimestamp} firstSequence: ${ev.firstSequence} lastSequence: ${ev.lastSequence} lastOffset: ${ev.lastOffset} offsetDelta: ${ev.offsetDelta} timestamp: ${ev.timestamp}`
        );
      case 'entry':
        return Object.entries(ev.fields)
          .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`)
          .join(' ');
      case 'note':
        if (ev.text.startsWith('Ignoring unknown file')) {
          this.errLines.push(ev.text);
          return null;
        }
        return ev.text;
      case 'trailing':
        return `Found ${ev.bytes} invalid bytes at the end of ${basename(ev.file)}`;
      case 'problem':
        this.problems.push(ev);
        return null;
    }
  }

  /** Kafka's grouped stderr report, then kseg's one-line reports for the other problems. */
  stderrLines(): string[] {
    const out = [...this.errLines];
    const group = (check: ProblemEvent['check']) => {
      const m = new Map<string, ProblemEvent[]>();
      for (const p of this.problems) if (p.check === check) m.set(resolve(p.file), [...(m.get(resolve(p.file)) ?? []), p]);
      return m;
    };
    for (const [file, ps] of group('index-mismatch')) {
      out.push(`Mismatches in :${file}`);
      for (const p of [...ps].filter((p) => p.message.startsWith('Index offset')).sort((a, b) => (b.expected ?? 0) - (a.expected ?? 0))) out.push(`  ${p.message}`);
    }
    for (const [file, ps] of group('timeindex-mismatch')) {
      out.push(`Found timestamp mismatch in :${file}`);
      for (const p of ps) out.push(`  ${p.message}`);
    }
    for (const [, ps] of group('timeindex-order')) {
      out.push(`Found out of order timestamp in :${resolve(ps[0].file)}`);
      for (const p of ps) out.push(`  ${p.message}`);
    }
    for (const [, ps] of group('timeindex-offset-not-found')) {
      out.push('The following indexed offsets are not found in the log.');
      for (const p of ps) out.push(p.message);
    }
    for (const [file, ps] of group('non-consecutive')) {
      out.push(`Non-consecutive offsets in ${file}`);
      for (const p of ps) out.push(`  ${p.message}`);
    }
    const kafkaGrouped = new Set(['index-mismatch', 'timeindex-mismatch', 'timeindex-order', 'timeindex-offset-not-found', 'non-consecutive']);
    for (const p of this.problems) {
      if (kafkaGrouped.has(p.check) && p.message.match(/^(Index|Indexed|\d|-)/)) continue;
      const where = [p.position !== null ? `position ${p.position}` : null, p.offset !== null ? `offset ${p.offset}` : null].filter(Boolean).join(', ');
      out.push(`kseg: ${p.file}${where ? ` (${where})` : ''}: ${p.check}: ${p.message}`);
    }
    return out;
  }
}
