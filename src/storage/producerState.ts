// Producer state per partition (a slim ProducerStateManager): last sequence/offset per producer id,
// open transactions, and the aborted transactions that go into `.txnindex`. Snapshots are written
// at roll and close, named by the next offset.

import { CONTROL_FLAG_MASK, readControlRecord, type Record, type RecordBatch } from '../format/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomicWrite.js';
import { offsetFileName, SNAPSHOT_SUFFIX } from './fileNames.js';
import { decodeProducerSnapshot, encodeProducerSnapshot, type ProducerSnapshotEntry } from './producerSnapshot.js';
import type { AbortedTxn } from './transactionIndex.js';

export interface BatchProducerInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  isTransactional: boolean;
  /** For control batches: 0 ABORT, 1 COMMIT. */
  marker?: { type: number; coordinatorEpoch: number };
}

/** What the producer state needs from a v2 batch at [baseOffset, lastOffset] (by default its own offsets). */
export function batchProducerInfo(view: RecordBatch, baseOffset = view.baseOffset, lastOffset = view.lastOffset): BatchProducerInfo {
  return {
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    lastSequence: view.lastSequence,
    baseOffset,
    lastOffset,
    maxTimestamp: view.maxTimestamp,
    isTransactional: view.isTransactional,
    marker: view.attributes & CONTROL_FLAG_MASK ? controlMarker(view) : undefined,
  };
}

function controlMarker(view: RecordBatch): { type: number; coordinatorEpoch: number } | undefined {
  for (const r of view.records() as Iterable<Record>) {
    const c = readControlRecord(r);
    if (c.type === 0 || c.type === 1) return { type: c.type, coordinatorEpoch: c.coordinatorEpoch ?? -1 };
  }
  return undefined;
}

export class ProducerState {
  private readonly producers = new Map<number, ProducerSnapshotEntry>();

  get size(): number {
    return this.producers.size;
  }

  /** Records a batch; returns the aborted transaction to index when the batch is an ABORT marker. */
  update(b: BatchProducerInfo): AbortedTxn | null {
    if (b.producerId < 0) return null;
    let e = this.producers.get(b.producerId);
    if (!e) {
      e = { producerId: b.producerId, producerEpoch: b.producerEpoch, lastSequence: -1, lastOffset: -1, offsetDelta: 0, timestamp: -1, coordinatorEpoch: -1, currentTxnFirstOffset: -1 };
      this.producers.set(b.producerId, e);
    }
    e.producerEpoch = b.producerEpoch;
    e.timestamp = b.maxTimestamp;
    if (b.marker) {
      const first = e.currentTxnFirstOffset;
      e.coordinatorEpoch = b.marker.coordinatorEpoch;
      e.currentTxnFirstOffset = -1;
      if (b.marker.type === 0 && first >= 0) {
        return { version: 0, producerId: b.producerId, firstOffset: first, lastOffset: b.lastOffset, lastStableOffset: this.lastStableOffset(b.lastOffset + 1) };
      }
      return null;
    }
    if (b.baseSequence >= 0) {
      e.lastSequence = b.lastSequence;
      e.lastOffset = b.lastOffset;
      e.offsetDelta = b.lastSequence - b.baseSequence;
    }
    if (b.isTransactional && e.currentTxnFirstOffset < 0) e.currentTxnFirstOffset = b.baseOffset;
    return null;
  }

  /** First offset of the earliest open transaction, or `fallback` when none is open. */
  lastStableOffset(fallback: number): number {
    let lso = fallback;
    for (const e of this.producers.values()) if (e.currentTxnFirstOffset >= 0 && e.currentTxnFirstOffset < lso) lso = e.currentTxnFirstOffset;
    return lso;
  }

  entries(): ProducerSnapshotEntry[] {
    return [...this.producers.values()].map((e) => ({ ...e }));
  }

  load(entries: readonly ProducerSnapshotEntry[]): void {
    this.producers.clear();
    for (const e of entries) this.producers.set(e.producerId, { ...e });
  }

  writeSnapshot(path: string, sync = false): void {
    writeFileAtomic(path, encodeProducerSnapshot(this.entries()), sync);
  }
}

/**
 * The producer state of partition dir `dir` at its log start, for replaying its batches: empty from
 * offset 0, else the snapshot named by the start offset; null when that is missing or unreadable
 * (a transaction open at the start could then be missed).
 */
export function producerStateAtLogStart(dir: string, logStart: number): ProducerState | null {
  const state = new ProducerState();
  if (logStart === 0) return state;
  const snapshot = join(dir, offsetFileName(logStart, SNAPSHOT_SUFFIX));
  if (!existsSync(snapshot)) return null;
  try {
    state.load(decodeProducerSnapshot(readFileSync(snapshot)));
    return state;
  } catch {
    return null;
  }
}
