/**
 * A mistyped command: say what was meant, exit 2 (invalid usage). hacheck
 * does not use @oclif/plugin-not-found: on a terminal it offers to *run* its
 * guess after one keypress — for `hacheck chaos power-of` that is a power-off
 * of a node — and it exits 127, outside hacheck's exit-code contract.
 */
import type {Hook} from '@oclif/core'

import {visibleText} from '../../core/sanitize.js'
import {suggestCommand} from '../suggest.js'

const hook: Hook.CommandNotFound = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const s = suggestCommand(opts.id, ids, opts.config.bin)
  // The mistyped words are the user's (or a script's) and may carry an ANSI escape: made visible.
  process.stderr.write(visibleText(`error: ${s.message}\n${s.hints.map((h) => `hint: ${h}\n`).join('')}`))
  this.exit(2)
}

export default hook
