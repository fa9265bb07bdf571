// The quarantine: where `kseg recover` keeps every byte it cuts and every file it replaces, outside
// the Kafka log dir (a broker refuses unknown directories inside it). Each run gets its own
// directory with a manifest.json (source, position, length, sha256, reason), written before the
// original is touched, so the original = kept prefix + quarantined tail, byte for byte.

import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readSync, realpathSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { KsegError } from '../format/errors.js';
import { fsyncDir, writeFileAtomic } from '../storage/atomicWrite.js';

export interface ManifestEntry {
  /** Path of the original file, relative to the log dir. */
  source: string;
  /** Byte range taken from the original (whole file: 0 and its size). */
  position: number;
  length: number;
  sha256: string;
  reason: string;
  /** Where it is kept, relative to the quarantine run dir. */
  stored: string;
  wholeFile: boolean;
}

export function defaultQuarantineRoot(logDir: string): string {
  const abs = resolve(logDir);
  return join(dirname(abs), `${basename(abs)}.kseg-quarantine`);
}

/** Absolute path with symlinks resolved as far as the path exists (the rest may not exist yet). */
function realResolve(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return join(realpathSync(existing), ...rest);
}

export class Quarantine {
  private dir: string;
  readonly entries: ManifestEntry[] = [];
  private created = false;

  constructor(
    readonly logDir: string,
    root: string,
    readonly createdAt = new Date(),
  ) {
    // Compared with symlinks resolved: a link into the log dir still puts the quarantine inside it.
    const absLog = realResolve(logDir);
    const absRoot = realResolve(root);
    if (absRoot === absLog || absRoot.startsWith(absLog + sep)) {
      throw new KsegError(`quarantine dir ${root} is inside the log dir ${logDir}; a broker would refuse to start with it there`);
    }
    this.dir = join(resolve(root), createdAt.toISOString().replace(/[:.]/g, '-'));
  }

  /** This run's directory (suffixed -1, -2, ... if another run already took the timestamp). */
  get runDir(): string {
    return this.dir;
  }

  private ensure(): void {
    if (this.created) return;
    mkdirSync(dirname(this.dir), { recursive: true });
    const stamp = this.dir;
    for (let n = 1; ; n++) {
      try {
        mkdirSync(this.dir); // exclusive: two runs in the same millisecond must not share a manifest
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        this.dir = `${stamp}-${n}`;
      }
    }
    this.created = true;
  }

  private storedPath(source: string, suffix: string): { rel: string; abs: string } {
    const rel = relative(resolve(this.logDir), resolve(source)) + suffix;
    const abs = join(this.runDir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    return { rel, abs };
  }

  /** Copies bytes [position, end) of `file` into the quarantine (fsynced) and records them. */
  keepRange(file: string, position: number, length: number, reason: string): ManifestEntry {
    this.ensure();
    const { rel, abs } = this.storedPath(file, `.from-${position}`);
    const hash = createHash('sha256');
    const src = openSync(file, 'r');
    const dst = openSync(abs, 'wx');
    try {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      let done = 0;
      while (done < length) {
        const n = readSync(src, buf, 0, Math.min(buf.length, length - done), position + done);
        if (n === 0) throw new KsegError(`${file} ended while quarantining bytes ${position}..${position + length}`);
        hash.update(buf.subarray(0, n));
        let w = 0;
        while (w < n) w += writeSync(dst, buf, w, n - w);
        done += n;
      }
      fsyncSync(dst);
    } finally {
      closeSync(src);
      closeSync(dst);
    }
    fsyncDir(dirname(abs));
    const entry: ManifestEntry = { source: relative(resolve(this.logDir), resolve(file)), position, length, sha256: hash.digest('hex'), reason, stored: rel, wholeFile: false };
    this.entries.push(entry);
    this.writeManifest();
    return entry;
  }

  /** Copies a whole file into the quarantine (the caller then removes or replaces the original). */
  keepFile(file: string, reason: string): ManifestEntry {
    this.ensure();
    const { rel, abs } = this.storedPath(file, '');
    if (existsSync(abs)) throw new KsegError(`${abs} already exists in the quarantine`);
    copyFileSync(file, abs);
    const fd = openSync(abs, 'r');
    const hash = createHash('sha256');
    let size = 0;
    try {
      fsyncSync(fd);
      const buf = Buffer.allocUnsafe(1024 * 1024);
      for (let n; (n = readSync(fd, buf, 0, buf.length, size)) > 0; size += n) hash.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    fsyncDir(dirname(abs));
    const entry: ManifestEntry = { source: relative(resolve(this.logDir), resolve(file)), position: 0, length: size, sha256: hash.digest('hex'), reason, stored: rel, wholeFile: true };
    this.entries.push(entry);
    this.writeManifest();
    return entry;
  }

  get used(): boolean {
    return this.created;
  }

  private writeManifest(): void {
    writeFileAtomic(join(this.runDir, 'manifest.json'), JSON.stringify({ version: 1, createdAt: this.createdAt.toISOString(), logDir: resolve(this.logDir), entries: this.entries }, null, 2) + '\n');
  }
}
