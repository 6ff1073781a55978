import {Args, Flags} from '@oclif/core'

import {createInfra, FORMATS, renderReport, type ChaosFormat} from '../../chaos/cli/command.js'
import {GameDayError, loadGameDay} from '../../chaos/gameday/file.js'
import {inventoryProblems} from '../../chaos/gameday/inventory-check.js'
import {gameDayWorkload, runGameDay, type GameDayResult} from '../../chaos/gameday/run.js'
import {renderFaultDryRun} from '../../chaos/report/dry-run.js'
import {renderGameDayJUnit, renderGameDayText} from '../../chaos/report/gameday.js'
import {createLiveView, liveMode} from '../../chaos/report/live.js'
import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag, formatFlag} from '../../cli/flags.js'
import {requireDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'
import {loadInventory} from '../../inventory/load.js'

export default class ChaosRun extends BaseCommand<typeof ChaosRun> {
  static override summary =
    'Run a game day: steady state, workload, ordered fault steps with expectations, rollbacks.'

  static override description = `FILE is a game-day YAML (schema: schemas/gameday.schema.json; examples in examples/gamedays/). hacheck checks the steady state (every steadyState probe passes), then runs each step as a full experiment (preflight, ledger, dead-man, inject, verify, hold, revert, verify removed, expectations) while the workload runs, waits for the steady state again between steps, checks it after the last step, and runs the rollbacks whatever happened. A step whose revert cannot be verified stops the game day.

The workload (workload: in the file) is http, tcp, command, or pg-write: PostgreSQL writes through the VIP (the inventory's cluster.database), read back after every step, so that expectations such as "lost-writes == 0" and "rpo <= 0s" can be checked (examples/gamedays/db-failover.yaml).

A step may name a data-tier experiment instead of a fault (experiment: galera-partition, patroni-kill-leader, patroni-cut-leader or etcd-stop-member, with: the options of hacheck chaos data such as node, rate, database, dbUser): it runs as hacheck chaos data does, with its own write workload, and passes when no acknowledged write was lost (docs/chaos.md).

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> examples/gamedays/heartbeat-failover.yaml -i lab.yaml --yes',
    '<%= config.bin %> <%= command.id %> examples/gamedays/split-brain.yaml -i lab.yaml --only isolate-service-node --yes --format junit -o chaos.xml',
    '<%= config.bin %> <%= command.id %> examples/gamedays/power.yaml -i lab.yaml --dry-run',
    '<%= config.bin %> <%= command.id %> examples/gamedays/db-failover.yaml -i db.yaml --yes --format json',
  ]

  static override args = {
    file: Args.string({description: 'Game-day file (YAML or JSON).', required: true}),
  }

  static override flags = {
    inventory: Flags.string({
      char: 'i',
      summary:
        "Inventory file (default: the game day's inventory:, then $HACHECK_INVENTORY, then the config file).",
      helpValue: 'FILE',
    }),
    only: Flags.string({summary: 'Run only this step (repeatable).', multiple: true}),
    'dry-run': Flags.boolean({summary: 'Print the exact commands of every step and change nothing.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation (required without a terminal).'}),
    format: formatFlag(FORMATS, 'Report format; json is the same as --json.'),
    'steady-timeout': durationFlag({
      summary: 'How long to wait for the steady state before, between and after steps.',
      default: '3m',
    }),
    'accept-new-host-keys': Flags.boolean({
      summary: "Record unknown SSH host keys in hacheck's known_hosts instead of refusing them.",
    }),
  }

  public async run(): Promise<GameDayResult | {status: 'dry-run'; text: string} | undefined> {
    const {args, flags} = await this.parse(ChaosRun)
    const g = await loadGameDay(args.file)
    if (flags.only) {
      const unknown = flags.only.filter((n) => !g.steps.some((s) => s.name === n))
      if (unknown.length)
        throw new InputError(
          `--only ${unknown.join(', ')}: no such step in ${args.file} (steps: ${g.steps.map((s) => s.name).join(', ')})`,
        )
    }
    // The game day's own inventory: beats the environment and a default from the config file.
    const fromConfig = this.fromConfig.has('inventory')
    const invFile =
      (fromConfig ? undefined : flags.inventory) ??
      g.inventory ??
      process.env.HACHECK_INVENTORY ??
      flags.inventory
    if (!invFile)
      throw new InputError(
        'no inventory: give -i FILE, an inventory: key in the game day, or $HACHECK_INVENTORY',
      )
    const inventory = await loadInventory(invFile)
    // Nodes and networks the game day names, checked before anything connects (FILE:LINE:COL of each).
    const wrong = inventoryProblems(g, inventory)
    if (wrong.length) throw new GameDayError(args.file, wrong)
    const steadyTimeoutMs = requireDurationMs(flags['steady-timeout'], '--steady-timeout')
    const io = this.io()
    const live = createLiveView(liveMode({quiet: io.quiet}))
    const infra = await createInfra({acceptNewHostKeys: flags['accept-new-host-keys']})
    try {
      const out = await runGameDay(g, {
        inventory,
        runner: infra.runner,
        local: infra.local,
        ...(flags.only ? {only: flags.only} : {}),
        yes: flags.yes,
        dryRun: flags['dry-run'],
        workload: gameDayWorkload(g, inventory),
        live,
        steadyTimeoutMs,
      })
      await live.close()
      if (out.dryRun !== undefined) {
        const text = out.dryRun.map((d) => `# ===== step ${d.step} =====\n${renderFaultDryRun(d)}`).join('\n')
        if (io.json) return {status: 'dry-run', text}
        io.write(text)
        return undefined
      }
      const st = out.result.status
      if (st !== 'pass') process.exitCode = st === 'fail' ? 1 : 3
      if (io.json) return out.result
      const format = flags.format as Exclude<ChaosFormat, 'json'>
      io.write(
        format === 'junit'
          ? renderGameDayJUnit(out.result)
          : format === 'html' || format === 'markdown' || format === 'prometheus'
            ? renderReport(format, out.experiments, `hacheck game day: ${g.name}`)
            : renderGameDayText(out.result),
      )
      return out.result
    } finally {
      await live.close()
      await infra.close()
    }
  }
}
