/**
 * The audit start-up fast path run from src/ (through tsx), as bin/run.js runs it from dist/:
 *   tsx test/support/fast-audit-launch.ts ARGS…   (the words after `audit`)
 * When the fast path leaves the command line to oclif, it says so on stderr and exits 64
 * (bin/run.js would start oclif instead), so a test can tell which path ran.
 */
import {runFastAudit} from '../../src/entry/fast-audit.js'

const LEFT_TO_OCLIF = 'fast path: left to oclif'

if (!(await runFastAudit(process.argv.slice(2)))) {
  process.stderr.write(`${LEFT_TO_OCLIF}\n`)
  process.exitCode = 64
}
