// `npm install` step: build the optional ISA-L CRC-32C addon with node-gyp. Never fails the
// install: without ISA-L (Debian: libisal-dev) or a compiler, kseg's CRC-32C uses sse4_crc32.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// npm runs install scripts with its own node-gyp on PATH and names it in npm_config_node_gyp.
const gyp = process.env.npm_config_node_gyp;
const r = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: here, encoding: 'utf8' })
  : spawnSync('node-gyp', ['rebuild'], { cwd: here, encoding: 'utf8' });
const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
if (r.status === 0) {
  console.log('kseg: built the ISA-L CRC-32C addon (native/isal-crc32c)');
} else {
  const why = /isa-l\/crc\.h|-lisal/.test(out)
    ? 'ISA-L is not installed'
    : `node-gyp failed:\n${out.trim().split('\n').slice(-10).join('\n')}`;
  console.log(`kseg: optional ISA-L CRC-32C addon not built (${why}); CRC-32C falls back to sse4_crc32. Debian: apt-get install libisal-dev, then npm install`);
}
