// The log dir as a broker keeps it: meta.properties, the `.lock` (one writer; stale locks of dead
// pids taken over), `.kafka_cleanshutdown` absent while writing and present after a clean close, and
// the offset checkpoint files written at close.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLogDirLocked, LogDir, LogDirLockedError, readOffsetCheckpoint } from '../../src/storage/index.js';
import { cleanupTempDirs, tempDir, treeSnapshot } from './helpers.js';

afterAll(cleanupTempDirs);

/** A pid that existed and is now dead. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return r.pid!;
}

describe('LogDir', () => {
  it('creates a KRaft meta.properties, holds .lock with its pid and has no clean-shutdown marker while open', () => {
    const dir = join(tempDir(), 'logs');
    const ld = LogDir.openForWrite(dir, { nodeId: 3 });
    const meta = readFileSync(join(dir, 'meta.properties'), 'utf8');
    expect(meta).toMatch(/^#\n#.+\n/);
    const props = Object.fromEntries(meta.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('=')));
    expect(Object.keys(props).sort()).toEqual(['cluster.id', 'directory.id', 'node.id', 'version']);
    expect(props.version).toBe('1');
    expect(props['node.id']).toBe('3');
    expect(props['cluster.id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(props['directory.id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toMatch(new RegExp(`^kseg pid=${process.pid} host=`));
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(false);
    expect(isLogDirLocked(dir)).toBe(false); // held by this process
    ld.close([
      { topic: 'b', partition: 1, logStartOffset: 0, logEndOffset: 10 },
      { topic: 'a', partition: 2, logStartOffset: 5, logEndOffset: 7 },
      { topic: 'b', partition: 0, logStartOffset: 0, logEndOffset: 0 },
    ]);
    expect(JSON.parse(readFileSync(join(dir, '.kafka_cleanshutdown'), 'utf8'))).toEqual({ version: 0, brokerEpoch: -1 });
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n3\na 2 7\nb 0 0\nb 1 10\n');
    expect(readFileSync(join(dir, 'replication-offset-checkpoint'), 'utf8')).toBe('0\n3\na 2 7\nb 0 0\nb 1 10\n');
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\na 2 5\n');
    expect(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(''); // what a stopped broker leaves

    // Reopening keeps meta.properties, removes the marker; a later close keeps untouched partitions.
    const again = LogDir.openForWrite(dir);
    expect(readFileSync(join(dir, 'meta.properties'), 'utf8')).toBe(meta);
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(false);
    again.close([{ topic: 'b', partition: 1, logStartOffset: 0, logEndOffset: 20 }]);
    expect(readOffsetCheckpoint(join(dir, 'recovery-point-offset-checkpoint'))).toEqual([
      { topic: 'a', partition: 2, offset: 7 },
      { topic: 'b', partition: 0, offset: 0 },
      { topic: 'b', partition: 1, offset: 20 },
    ]);
  });

  it('an unclean close leaves no marker and no new checkpoints, but releases the lock', () => {
    const dir = tempDir();
    const ld = LogDir.openForWrite(dir);
    ld.close([{ topic: 't', partition: 0, logStartOffset: 0, logEndOffset: 3 }], { clean: false });
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(false);
    expect(existsSync(join(dir, 'recovery-point-offset-checkpoint'))).toBe(false);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe('');
    LogDir.openForWrite(dir).close([]);
  });

  it('a second writer in the same process is refused', () => {
    const dir = tempDir();
    const ld = LogDir.openForWrite(dir);
    expect(() => LogDir.openForWrite(dir)).toThrow(LogDirLockedError);
    ld.close([]);
  });

  it('a lock held by a live process is refused with LogDirLockedError naming it, and nothing in the dir changes', async () => {
    const dir = tempDir();
    LogDir.openForWrite(dir).close([{ topic: 't', partition: 0, logStartOffset: 0, logEndOffset: 1 }]);
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, '.lock'), `kseg pid=${holder.pid} host=${hostname()}\n`);
      const before = treeSnapshot(dir);
      expect(isLogDirLocked(dir)).toBe(true);
      let err: Error | undefined;
      try {
        LogDir.openForWrite(dir);
      } catch (e) {
        err = e as Error;
      }
      expect(err).toBeInstanceOf(LogDirLockedError);
      expect(err!.message).toContain(`pid ${holder.pid}`);
      expect(err!.message).not.toContain('\n');
      expect(treeSnapshot(dir)).toEqual(before);
      // a lock from another host cannot be checked: also refused
      writeFileSync(join(dir, '.lock'), `kseg pid=${deadPid()} host=some-other-host\n`);
      expect(() => LogDir.openForWrite(dir)).toThrow(LogDirLockedError);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a stale lock of a dead pid, and the empty lock a stopped broker leaves', () => {
    const dir = tempDir();
    const pid = deadPid();
    writeFileSync(join(dir, '.lock'), `kseg pid=${pid} host=${hostname()}\n`);
    expect(isLogDirLocked(dir)).toBe(false);
    const ld = LogDir.openForWrite(dir);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toContain(`pid=${process.pid} `);
    ld.close([]);
    writeFileSync(join(dir, '.lock'), '');
    LogDir.openForWrite(dir).close([]);
    expect(existsSync(join(dir, '.kafka_cleanshutdown'))).toBe(true);
  });
});
