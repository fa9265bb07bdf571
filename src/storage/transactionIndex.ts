// Aborted-transaction index (Kafka's TransactionIndex / AbortedTxn): 34-byte entries
// `version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64`,
// append-only, created on the first aborted transaction of a segment.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readInt16, readInt64, writeInt16, writeInt64 } from '../format/int64.js';
import { CorruptRecordError } from '../format/errors.js';

export const ABORTED_TXN_SIZE = 34;

export interface AbortedTxn {
  version: number;
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** Identifies an aborted transaction (producer, first and last offset); last stable offsets may differ. */
export const abortedTxnKey = (t: AbortedTxn): string => `${t.producerId}:${t.firstOffset}:${t.lastOffset}`;

/**
 * A segment's stored .txnindex entries against the aborted transactions its ABORT markers close
 * (a producer-state replay): those without an entry, and the indexes of entries no marker closes.
 */
export function diffAbortedTxns(stored: readonly AbortedTxn[], aborted: readonly AbortedTxn[]): { missing: AbortedTxn[]; extra: number[] } {
  const storedKeys = new Set(stored.map(abortedTxnKey));
  const abortedKeys = new Set(aborted.map(abortedTxnKey));
  const extra: number[] = [];
  stored.forEach((t, i) => {
    if (!abortedKeys.has(abortedTxnKey(t))) extra.push(i);
  });
  return { missing: aborted.filter((t) => !storedKeys.has(abortedTxnKey(t))), extra };
}

export function encodeAbortedTxn(t: AbortedTxn): Buffer {
  const b = Buffer.alloc(ABORTED_TXN_SIZE);
  writeInt16(b, 0, t.version);
  writeInt64(b, 2, t.producerId);
  writeInt64(b, 10, t.firstOffset);
  writeInt64(b, 18, t.lastOffset);
  writeInt64(b, 26, t.lastStableOffset);
  return b;
}

/** Parses a whole .txnindex; a partial trailing entry or an unknown version is corrupt. */
export function decodeTransactionIndex(data: Buffer, file = '.txnindex'): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let p = 0; p < data.length; p += ABORTED_TXN_SIZE) {
    if (p + ABORTED_TXN_SIZE > data.length) throw new CorruptRecordError(`Found ${data.length - p} trailing bytes that do not form an aborted transaction entry in ${file}`, p);
    const version = readInt16(data, p);
    if (version !== 0) throw new CorruptRecordError(`Unexpected aborted transaction version ${version} in transaction index ${file}, current version is 0`, p);
    out.push({ version, producerId: readInt64(data, p + 2), firstOffset: readInt64(data, p + 10), lastOffset: readInt64(data, p + 18), lastStableOffset: readInt64(data, p + 26) });
  }
  return out;
}

export class TransactionIndex {
  private fd = -1;
  constructor(readonly path: string) {}

  append(t: AbortedTxn): void {
    if (this.fd < 0) this.fd = openSync(this.path, 'a');
    writeSync(this.fd, encodeAbortedTxn(t));
  }

  read(): AbortedTxn[] {
    return existsSync(this.path) ? decodeTransactionIndex(readFileSync(this.path), this.path) : [];
  }

  /** fsync if the file was written; returns the number of fsync calls (0 or 1). */
  flush(): number {
    if (this.fd < 0) return 0;
    fsyncSync(this.fd);
    return 1;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
