import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Runs the built CLI (npm test compiles first) as a user would.
const kseg = (...args: string[]) => spawnSync('bin/kseg.js', args, { encoding: 'utf8' });

describe('kseg dump CLI', () => {
  it('prints JSON Lines and exits 0 on a clean segment', () => {
    const r = kseg('dump', 'fixtures/logs/v2-zstd-0/00000000000000000000.log', '--json', '--print-data-log');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'batch')).toHaveLength(4);
    expect(lines.filter((l) => l.type === 'record')).toHaveLength(29);
    expect(lines.find((l) => l.type === 'batch').compressCodec).toBe('zstd');
  });

  it('exits 1 with problems in the data, one line, no stack trace', () => {
    const r = kseg('dump', '--files', 'fixtures/logs/corrupt-size-0/00000000000000000000.log,fixtures/logs/v2-none-0/00000000000000000000.log', '--json');
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // the second file is still dumped after the first one's corruption
    expect(r.stdout).toContain('"file":"fixtures/logs/v2-none-0/00000000000000000000.log"');
  });

  it('exits 2 on usage and I/O errors', () => {
    expect(kseg('dump', '--no-such-flag').status).toBe(2);
    expect(kseg('dump').status).toBe(2);
    const missing = kseg('dump', 'no/such/file.log');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(kseg('dump', 'x.log', '--value-decoder', 'rot13').status).toBe(2);
  });
});
