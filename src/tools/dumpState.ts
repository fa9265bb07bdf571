// Dumping the state files beside segments: `.txnindex`, producer `.snapshot`, and kseg's extras
// (leader-epoch-checkpoint, partition.metadata, *-offset-checkpoint, meta.properties, quorum-state).

import { readFileSync } from 'node:fs';
import { readLeaderEpochCheckpoint, readOffsetCheckpoint } from '../storage/checkpointFile.js';
import { decodeProducerSnapshot } from '../storage/producerSnapshot.js';
import { decodeTransactionIndex } from '../storage/transactionIndex.js';
import { KsegError } from '../format/errors.js';
import type { DumpEvent, FileKind } from './dumpEvents.js';

export function* dumpTxnIndex(file: string): Generator<DumpEvent> {
  let entries;
  try {
    entries = decodeTransactionIndex(readFileSync(file), file);
  } catch (err) {
    yield { type: 'problem', file, position: (err as { position?: number }).position ?? null, offset: null, check: 'txnindex', message: (err as Error).message };
    return;
  }
  for (const t of entries) yield { type: 'abortedTxn', ...t };
}

export function* dumpProducerSnapshot(file: string): Generator<DumpEvent> {
  let entries;
  try {
    entries = decodeProducerSnapshot(readFileSync(file));
  } catch (err) {
    yield { type: 'problem', file, position: (err as { position?: number }).position ?? null, offset: null, check: 'snapshot', message: (err as Error).message };
    return;
  }
  for (const e of entries) {
    yield {
      type: 'producerState',
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnFirstOffset: e.currentTxnFirstOffset >= 0 ? e.currentTxnFirstOffset : null,
      lastTimestamp: e.timestamp,
      // BatchMetadata.firstSeq: lastSeq decremented by offsetDelta (sequences wrap at Int.MAX).
      firstSequence: firstSequence(e.lastSequence, e.offsetDelta),
      lastSequence: e.lastSequence,
      lastOffset: e.lastOffset,
      offsetDelta: e.offsetDelta,
      timestamp: e.timestamp,
    };
  }
}

/** DefaultRecordBatch.decrementSequence */
function firstSequence(last: number, delta: number): number {
  return last < delta ? 2147483647 - (delta - last) + 1 : last - delta;
}

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || !line.includes('=')) continue;
    const i = line.indexOf('=');
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export function* dumpStateFile(file: string, kind: FileKind): Generator<DumpEvent> {
  try {
    switch (kind) {
      case 'leader-epoch-checkpoint':
        for (const e of readLeaderEpochCheckpoint(file)) yield { type: 'entry', kind, fields: { epoch: e.epoch, startOffset: e.startOffset } };
        return;
      case 'offset-checkpoint':
        for (const e of readOffsetCheckpoint(file)) yield { type: 'entry', kind, fields: { topic: e.topic, partition: e.partition, offset: e.offset } };
        return;
      case 'partition-metadata': {
        const p = Object.fromEntries(
          readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l.includes(':'))
            .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        if (p.version === undefined || p.topic_id === undefined) throw new KsegError(`Malformed partition metadata file ${file}`);
        yield { type: 'entry', kind, fields: { version: Number(p.version), topicId: p.topic_id } };
        return;
      }
      case 'meta-properties':
        yield { type: 'entry', kind, fields: parseProperties(readFileSync(file, 'utf8')) };
        return;
      case 'quorum-state':
        yield { type: 'entry', kind, fields: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
        return;
      default:
        return;
    }
  } catch (err) {
    yield { type: 'problem', file, position: null, offset: null, check: 'state-file', message: (err as Error).message };
  }
}
