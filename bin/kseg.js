#!/usr/bin/env -S node --no-concurrent-recompilation
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` via the prepare script).
// --no-concurrent-recompilation: Node 20 can deadlock at exit when an optimizing compile runs on a
// V8 helper thread and asks the main thread for a garbage collection while the main thread waits
// for that job to finish (nodejs/node#54918). Short kseg runs hit it: 8 of 150 `kseg produce`
// runs of 1000 records never exited; none of 150 with this flag. Optimizing on the main thread
// instead: 1 KiB produce no slower, 100 B records ~10% slower in a process's first second (while
// the hot functions compile), `dump` of a large log ~8% faster (README, dump).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`kseg: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
