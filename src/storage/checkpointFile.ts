// Text checkpoint files (Kafka's CheckpointFile): line 1 version (0), line 2 entry count, then one
// entry per line. Used for the log-dir offset checkpoints (`<topic> <partition> <offset>`) and the
// partition's leader-epoch-checkpoint (`<epoch> <startOffset>`).

import { readFileSync } from 'node:fs';
import { KsegError } from '../format/errors.js';
import { writeFileAtomic } from './atomicWrite.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

function format(lines: string[]): string {
  return ['0', String(lines.length), ...lines].join('\n') + '\n';
}

function parse(text: string, file: string, fields: number): string[][] {
  const lines = text.split('\n').filter((l, i, a) => l.length > 0 || i < a.length - 1);
  if (text.length === 0) return []; // Kafka leaves e.g. cleaner-offset-checkpoint empty
  if (lines[0] !== '0') throw new KsegError(`Unrecognized version of the checkpoint file (${file}): ${lines[0]}`);
  const count = Number(lines[1]);
  const entries = lines.slice(2).filter((l) => l.length > 0);
  if (!Number.isInteger(count) || count !== entries.length) throw new KsegError(`Expected ${lines[1]} entries in checkpoint file (${file}), but found ${entries.length}`);
  return entries.map((l) => {
    const parts = l.split(' ');
    if (parts.length !== fields) throw new KsegError(`Malformed line in checkpoint file (${file}): '${l}'`);
    return parts;
  });
}

export function writeOffsetCheckpoint(path: string, entries: readonly TopicPartitionOffset[]): void {
  writeFileAtomic(path, format(entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)));
}

export function readOffsetCheckpoint(path: string): TopicPartitionOffset[] {
  return parse(readFileSync(path, 'utf8'), path, 3).map(([topic, p, o]) => ({ topic, partition: Number(p), offset: Number(o) }));
}

export function writeLeaderEpochCheckpoint(path: string, entries: readonly EpochEntry[]): void {
  writeFileAtomic(path, format(entries.map((e) => `${e.epoch} ${e.startOffset}`)));
}

export function readLeaderEpochCheckpoint(path: string): EpochEntry[] {
  return parse(readFileSync(path, 'utf8'), path, 2).map(([e, o]) => ({ epoch: Number(e), startOffset: Number(o) }));
}
