#!/usr/bin/env node
// `hacheck` started as bin/run.js started every command before the audit fast path: through oclif.
// bench/bench.ts times `audit --from` both ways in the same run (docs/performance.md, "Start-up").
import {execute} from '@oclif/core'

await execute({dir: new URL('../bin/run.js', import.meta.url).href})
