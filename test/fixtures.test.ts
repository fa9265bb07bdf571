import { readFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtures } from '../fixtures/generate.js';

describe('fixtures', () => {
  it('regenerate byte-for-byte from fixtures/generate.ts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kseg-fixtures-'));
    const list = writeFixtures(dir);
    expect(list.length).toBeGreaterThan(10);
    for (const f of list) {
      const name = readdirSync(join(dir, f.dir))[0];
      const committed = readFileSync(join('fixtures', 'logs', f.dir, name));
      expect(committed.equals(readFileSync(join(dir, f.dir, name))), `${f.dir}/${name} differs: run npm run fixtures`).toBe(true);
    }
    expect(readFileSync(join(dir, 'MANIFEST.json'), 'utf8')).toBe(readFileSync('fixtures/logs/MANIFEST.json', 'utf8'));
  });
});
