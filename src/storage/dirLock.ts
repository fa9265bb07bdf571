// The log dir's `.lock` file. Kafka holds an OS file lock on it; Node has no portable file locking,
// so kseg records its pid in `.lock` while it writes, taken atomically with link(2), and treats a
// lock whose pid is dead (a SIGKILLed run) as stale. An empty `.lock` is what a stopped broker leaves.

import { existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KsegError } from '../format/errors.js';

export const LOCK_FILE = '.lock';

export class LogDirLockedError extends KsegError {
  override name = 'LogDirLockedError';
}

function holder(lockPath: string): { pid: number; host: string } | null {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8').trim();
  } catch {
    return null;
  }
  const m = /^kseg pid=(\d+) host=(\S+)/.exec(text);
  return m ? { pid: Number(m[1]), host: m[2] } : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws LogDirLockedError naming the holder. Returns the release function. */
export function lockLogDir(dir: string): () => void {
  const lockPath = join(dir, LOCK_FILE);
  const mine = `kseg pid=${process.pid} host=${hostname()}\n`;
  const tmp = join(dir, `${LOCK_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, mine);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(tmp, lockPath); // atomic: fails if .lock exists
        return () => release(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const h = holder(lockPath);
      if (h && h.pid !== process.pid && (h.host !== hostname() || alive(h.pid))) {
        throw new LogDirLockedError(`${dir} is locked by another kseg writer (pid ${h.pid} on ${h.host}); nothing was changed`);
      }
      if (h && h.pid === process.pid) throw new LogDirLockedError(`${dir} is already open for writing in this process`);
      // Empty (left by a broker) or stale (dead pid): replace it atomically and retry the link check.
      renameSync(tmp, lockPath);
      if (holder(lockPath)?.pid === process.pid) return () => release(lockPath);
      writeFileSync(tmp, mine);
    }
    throw new LogDirLockedError(`could not take ${lockPath}`);
  } finally {
    if (existsSync(tmp)) unlinkSync(tmp);
  }
}

function release(lockPath: string): void {
  // Leave an empty .lock behind, as a stopped broker does.
  if (holder(lockPath)?.pid === process.pid) writeFileSync(lockPath, '');
}

/** True when a live kseg writer holds the dir (for recover to refuse). */
export function isLogDirLocked(dir: string): boolean {
  const h = holder(join(dir, LOCK_FILE));
  return h !== null && h.pid !== process.pid && (h.host !== hostname() || alive(h.pid));
}
