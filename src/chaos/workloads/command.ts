/**
 * command: a custom probe run on this machine (`bash -c CMD`) at a fixed rate;
 * exit 0 in time is up. From `--probe-command CMD`, or a game day's
 * `workload: {command: CMD}`.
 */
import {describeProbes, probeCommand, probeWorkload} from './probes.js'
import {defineWorkload, type WorkloadSpec} from './types.js'

export interface CommandSpec extends WorkloadSpec {
  kind: 'command'
  argv: string[]
}

/** `--load command:CMD` (what --probe-command CMD means). */
export const COMMAND_PREFIX = 'command:'

export default defineWorkload<CommandSpec>({
  kind: 'command',
  summary: 'A command run on this machine (bash -c) at a fixed rate; exit 0 = up.',
  writes: false,
  fromLoad(value, c) {
    if (!value.startsWith(COMMAND_PREFIX)) return undefined
    return {
      kind: 'command',
      argv: ['bash', '-c', value.slice(COMMAND_PREFIX.length)],
      ratePerS: c.rate,
      timeoutMs: c.probeTimeoutMs,
    }
  },
  gameDay: {
    key: 'command',
    schema: {
      type: 'string',
      minLength: 1,
      'x-expected': 'a command run on this machine with bash -c (exit 0 = up)',
    },
    from: (w) => ({
      kind: 'command',
      argv: ['bash', '-c', String(w.raw.command)],
      ratePerS: w.rate,
      timeoutMs: w.timeoutMs,
    }),
  },
  describe: (s) => describeProbes(s, s.argv.join(' ')),
  create: (s, ctx) => probeWorkload(s, s.argv.join(' '), () => probeCommand(s.argv, s.timeoutMs), ctx),
})
