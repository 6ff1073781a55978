#!/usr/bin/env node
// `hacheck audit …` starts without importing @oclif/core when it can (src/entry/fast-audit.ts,
// docs/performance.md "Start-up"); everything else, and whatever that path leaves to oclif, runs here.
const argv = process.argv.slice(2)
const fast = argv[0] === 'audit' && (await import('../dist/entry/fast-audit.js')).runFastAudit
if (!fast || !(await fast(argv.slice(1)))) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
