import {Flags} from '@oclif/core'

import {createInfra} from '../../chaos/cli/command.js'
import {manualRevert, readLedgers, replayLedger, type ReplayReport} from '../../chaos/safety/ledger.js'
import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../cli/flags.js'
import {InputError} from '../../core/errors.js'
import {requireDurationMs} from '../../core/duration.js'
import {EXIT_CODES_HELP, ExitCode} from '../../core/exit-codes.js'
import {releaseOrphanedLeases} from '../../lease/file-store.js'

export interface RevertSummary {
  found: number
  cleaned: number
  left: number
  unreadable: {file: string; error: string}[]
  runs: ReplayReport[]
  /** Clusters whose chaos lease was released (its controller on this machine is gone, nothing left in place). */
  leasesReleased?: string[]
}

export interface ManualRevert {
  runId: string
  commands: string[]
}

export default class ChaosRevert extends BaseCommand<typeof ChaosRevert> {
  static override summary = 'Undo what interrupted chaos runs left behind, from their revert ledgers.'

  static override description = `Every chaos run writes a ledger ($XDG_STATE_HOME/hacheck/ledger/<runId>.json) before it injects anything, and removes it once the revert is verified. A ledger left over means a run was interrupted (hacheck killed, machine lost). This command replays each one: it runs the undo steps (idempotent), cancels the dead-man timers by PID, verifies nothing of hacheck's is left (rules, qdiscs, link state, power, dead-man processes, lease files), reports what the dead-men did on their own, and removes the ledger. Running it again when nothing is left is harmless. Then it releases the chaos lease of every cluster whose controller on this machine is gone and left no ledger, so the next run need not wait for the lease to expire.

A run whose hacheck process is still alive is skipped (it reverts on its own) unless --force.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --print',
    '<%= config.bin %> <%= command.id %> --format json',
  ]

  static override flags = {
    run: Flags.string({summary: 'Only this run id.', multiple: true}),
    force: Flags.boolean({summary: 'Also revert runs whose hacheck process still runs.'}),
    print: Flags.boolean({
      summary: 'Only print the manual revert commands of each leftover ledger; change nothing.',
    }),
    'retry-timeout': durationFlag({
      summary: 'How long to keep retrying an unreachable node (a bare number is seconds).',
      default: '30s',
    }),
    'accept-new-host-keys': Flags.boolean({
      summary: "Record unknown SSH host keys in hacheck's known_hosts instead of refusing them.",
    }),
  }

  public async run(): Promise<RevertSummary | (RevertSummary & {manual: ManualRevert[]})> {
    const {flags} = await this.parse(ChaosRevert)
    const all = readLedgers()
    const wanted = flags.run
    const files = wanted ? all.filter((f) => f.entry && wanted.includes(f.entry.runId)) : all
    if (wanted) {
      const missing = wanted.filter((id) => !all.some((f) => f.entry?.runId === id))
      if (missing.length)
        throw new InputError(
          `no ledger for run ${missing.join(', ')} (nothing to revert, or already reverted)`,
        )
    }
    const summary: RevertSummary = {found: 0, cleaned: 0, left: 0, unreadable: [], runs: []}
    for (const f of files)
      if (!f.entry) summary.unreadable.push({file: f.file, error: f.error ?? 'unreadable'})
    const entries = files.flatMap((f) => (f.entry ? [f.entry] : []))
    summary.found = entries.length
    const json = this.jsonEnabled()
    const say = (s: string): void => {
      if (!json) this.write(s)
    }
    const retryMs = requireDurationMs(flags['retry-timeout'], '--retry-timeout')
    if (flags.print) {
      for (const e of entries)
        say(`# run ${e.runId}: ${e.summary} (${e.createdAt})\n${manualRevert(e).join('\n\n')}\n\n`)
      return {...summary, manual: entries.map((e) => ({runId: e.runId, commands: manualRevert(e)}))}
    }
    if (entries.length === 0) {
      say(
        summary.unreadable.length
          ? ''
          : 'hacheck chaos revert: no leftover ledger: nothing of hacheck is in place\n',
      )
    } else {
      const infra = await createInfra({acceptNewHostKeys: flags['accept-new-host-keys']})
      try {
        for (const e of entries) {
          say(`run ${e.runId}: ${e.summary}\n  started ${e.createdAt}, left in state "${e.state}"\n`)
          const r = await replayLedger(
            e,
            {runner: infra.runner, local: infra.local, nodes: new Map()},
            {force: flags.force, retryMs},
          )
          summary.runs.push(r)
          if (r.skipped) {
            say(`  skipped: ${r.skipped}\n`)
            summary.left++
            continue
          }
          for (const l of r.deadmanLogs)
            say(`  the dead-man on ${l.where} had fired on its own:\n${l.text.replace(/^/gm, '    ')}\n`)
          for (const a of r.actions)
            say(
              `  ${a.ok ? 'ok  ' : 'FAIL'} ${a.what}${a.node ? ` [${a.node}]` : ''}${a.detail && !a.ok ? `: ${a.detail}` : a.detail ? ` (${a.detail})` : ''}\n`,
            )
          if (r.cleaned) {
            summary.cleaned++
            say('  removed: nothing of this run is left; ledger deleted\n')
          } else {
            summary.left++
            say('  NOT clean: the ledger is kept; fix what failed and run hacheck chaos revert again\n')
          }
        }
      } finally {
        await infra.close()
      }
    }
    for (const u of summary.unreadable) say(`unreadable ledger ${u.file}: ${u.error}\n`)
    // Chaos leases of crashed runs on this host whose faults are now reverted (src/lease).
    const busy = new Set(readLedgers().flatMap((f) => (f.entry ? [f.entry.controller.pid] : [])))
    const released = releaseOrphanedLeases({busyPids: busy})
    if (released.length) summary.leasesReleased = released
    for (const c of released)
      say(`released the chaos lease of cluster ${c}: its controller is gone and left nothing in place\n`)
    if (entries.length)
      say(`found ${summary.found} leftover run(s): ${summary.cleaned} reverted, ${summary.left} left\n`)
    if (summary.left > 0 || summary.unreadable.length > 0) process.exitCode = ExitCode.incomplete
    return summary
  }
}
