import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests that spawn /usr/bin/python3 or write log dirs stay fast on 2 cores with few workers.
    maxWorkers: 2,
    // As bin/kseg.js: no optimizing compiles on V8 helper threads, whose exit-time deadlock in Node 20
    // (nodejs/node#54918) hangs a process after its work; here, a test worker and so the whole run.
    execArgv: ['--no-concurrent-recompilation'],
    // .ci/run asks for a JSON report beside the normal output, to print its one-line summary.
    reporters: process.env.KSEG_VITEST_JSON ? ['default', 'json'] : ['default'],
    outputFile: process.env.KSEG_VITEST_JSON ? { json: process.env.KSEG_VITEST_JSON } : undefined,
  },
});
