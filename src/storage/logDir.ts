// A log directory as a broker keeps it: `meta.properties`, the offset checkpoint files, the
// `.kafka_cleanshutdown` marker (removed while writing, written on clean close, so a crash leaves a
// dir Kafka will recover) and the `.lock` file.

import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from './atomicWrite.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint, type TopicPartitionOffset } from './checkpointFile.js';
import { lockLogDir } from './dirLock.js';

export const META_PROPERTIES = 'meta.properties';
export const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

export interface PartitionEnd {
  topic: string;
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
}

export class LogDir {
  private released = false;
  private constructor(
    readonly path: string,
    private readonly release: () => void,
  ) {}

  /** Opens a log dir for writing: creates it, takes the lock, marks it as not cleanly shut down. */
  static openForWrite(path: string, opts: { nodeId?: number } = {}): LogDir {
    mkdirSync(path, { recursive: true });
    const release = lockLogDir(path);
    const meta = join(path, META_PROPERTIES);
    if (!existsSync(meta)) {
      const id = () => randomBytes(16).toString('base64url');
      writeFileAtomic(meta, `#\n#${new Date().toString()}\ncluster.id=${id()}\ndirectory.id=${id()}\nnode.id=${opts.nodeId ?? 1}\nversion=1\n`);
    }
    const clean = join(path, CLEAN_SHUTDOWN);
    if (existsSync(clean)) unlinkSync(clean);
    return new LogDir(path, release);
  }

  /**
   * Clean shutdown: offset checkpoints for every partition written (recovery point = log end, since
   * logs were flushed on close), then the clean-shutdown marker, then the lock released.
   */
  close(partitions: readonly PartitionEnd[], opts: { clean?: boolean } = {}): void {
    if (this.released) return;
    if (opts.clean ?? true) {
      const merged = new Map<string, PartitionEnd>();
      const recovery = join(this.path, RECOVERY_POINT_CHECKPOINT);
      // Keep partitions this run did not touch.
      if (existsSync(recovery)) for (const e of readOffsetCheckpoint(recovery)) merged.set(`${e.topic}-${e.partition}`, { topic: e.topic, partition: e.partition, logStartOffset: 0, logEndOffset: e.offset });
      for (const p of partitions) merged.set(`${p.topic}-${p.partition}`, p);
      const sorted = [...merged.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      const ends: TopicPartitionOffset[] = sorted.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.logEndOffset }));
      writeOffsetCheckpoint(join(this.path, RECOVERY_POINT_CHECKPOINT), ends);
      writeOffsetCheckpoint(join(this.path, REPLICATION_OFFSET_CHECKPOINT), ends);
      writeOffsetCheckpoint(join(this.path, LOG_START_OFFSET_CHECKPOINT), sorted.filter((p) => p.logStartOffset > 0).map((p) => ({ ...p, offset: p.logStartOffset })));
      if (!existsSync(join(this.path, CLEANER_OFFSET_CHECKPOINT))) writeFileAtomic(join(this.path, CLEANER_OFFSET_CHECKPOINT), '', false);
      writeFileAtomic(join(this.path, CLEAN_SHUTDOWN), JSON.stringify({ version: 0, brokerEpoch: -1 }));
    }
    this.release();
    this.released = true;
  }
}
