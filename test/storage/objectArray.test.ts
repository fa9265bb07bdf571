// objectArray() exists for V8's sake (see src/storage/objectArray.ts): an array from it must have
// the shape (map) an array has once it holds objects, where a plain [] does not. Checked with V8's
// own %HaveSameMap in a child node, on the built module, so the test fails if that stops holding.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

describe('objectArray', () => {
  it('starts empty, in the elements kind a [] reaches at its first object', () => {
    const module = pathToFileURL(join(REPO_ROOT, 'dist/src/storage/objectArray.js')).href;
    const script = `
      import { objectArray } from ${JSON.stringify(module)};
      const used = [];
      used.push({});
      used.pop();
      const fresh = objectArray();
      console.log(JSON.stringify({ length: fresh.length, plain: %HaveSameMap([], used), objectArray: %HaveSameMap(fresh, used) }));
    `;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
    // A plain [] has another map (what deoptimized the per-batch code), objectArray()'s the same.
    expect(JSON.parse(out)).toEqual({ length: 0, plain: false, objectArray: true });
  });
});
