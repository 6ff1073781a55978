import {Args} from '@oclif/core'

import {faultFlags} from '../../chaos/cli/command.js'
import {executeData} from '../../chaos/cli/data-command.js'
import {optionFlag} from '../../chaos/cli/fault-command.js'
import {
  DATA_EXPERIMENT_SUMMARY,
  DATA_EXPERIMENTS,
  DATA_OPTIONS,
  dataArgsOf,
  type DataExperiment,
} from '../../chaos/run/data-plan.js'
import {asFlag, flagName, optionValues} from '../../chaos/plan/options.js'
import type {DataRunResult} from '../../chaos/run/data-experiment.js'
import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag, formatFlag} from '../../cli/flags.js'
import {requireDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosData extends BaseCommand<typeof ChaosData> {
  static override summary =
    'Break a data tier (Galera, Patroni, etcd) under a write workload and count every acknowledged write lost.'

  static override description = `Experiments (the target is --node, else the default named here):
${DATA_EXPERIMENTS.map((e) => `  ${e.padEnd(20)} ${DATA_EXPERIMENT_SUMMARY[e]}`).join('\n')}

Writes go to every Galera node round-robin (mariadb-write) or to the Patroni leader (pg-leader-write, asking each member's REST API on port 8008 who leads), at --rate per second, into the run's own table hk_writes_<run>; after the revert and the recovery they are read back and accounted: lost, duplicated, accepted or refused by the minority, RPO, client RTO. The phases come from the nodes' polled state and the systems' own logs (MariaDB error log, Patroni log, etcd log).

The same experiments are game-day steps (experiment: galera-partition, with: the options below without their dashes, in camelCase; hacheck chaos run FILE).

Database and user: --database and --db-user, else the inventory's cluster.database name and user. The password only from the environment: MYSQL_PWD (Galera) or PGPASSWORD (Patroni); never a flag, never logged.

The nodes are those with role galera or patroni in the inventory. The revert ledger is written before anything changes and removed once the revert is verified: "hacheck chaos revert" undoes a run that was interrupted (hacheck killed). A node-side dead-man reverts the fault on its own when hacheck stops renewing its lease for --lease-timeout; the first SIGINT/SIGTERM ends the hold and reverts at once (exit 3). A target that is this machine is refused.

Exit code: 0 when the run completed and no acknowledged write was lost (or the loss is within the inventory's objectives.rpo when it is above 0); 1 when acknowledged writes were lost beyond it, or the minority accepted writes while cut off; 3 when the run could not complete (not injected, not recovered within --settle, no read-back). --format json prints the DataRunResult.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> galera-partition -i inventory.yaml --yes',
    'PGPASSWORD=… <%= config.bin %> <%= command.id %> patroni-kill-leader -i inventory.yaml --database app --db-user app --yes --format json',
  ]

  static override args = {
    experiment: Args.string({
      description: `One of ${DATA_EXPERIMENTS.join(', ')}.`,
      required: true,
      options: [...DATA_EXPERIMENTS],
    }),
  }

  static override flags = {
    inventory: faultFlags.inventory,
    duration: durationFlag({
      char: 'd',
      summary: 'How long the fault stays in place (then it is reverted), e.g. 20s.',
      default: '20s',
    }),
    baseline: faultFlags.baseline,
    settle: durationFlag({
      summary: 'After the revert, wait at most this long for the system to be whole again.',
      default: '150s',
    }),
    // The experiment's own options, from their one declaration (run/data-plan.ts).
    ...Object.fromEntries(Object.entries(DATA_OPTIONS).map(([k, spec]) => [flagName(k), optionFlag(spec)])),
    'lease-timeout': faultFlags['lease-timeout'],
    yes: faultFlags.yes,
    format: formatFlag(['console', 'json'] as const, 'Report format on stdout (or in --output).'),
    'accept-new-host-keys': faultFlags['accept-new-host-keys'],
  }

  public async run(): Promise<DataRunResult> {
    const {args, flags} = await this.parse(ChaosData)
    if (requireDurationMs(flags['lease-timeout'], '--lease-timeout') < 3000)
      throw new InputError('--lease-timeout: at least 3s (the lease is renewed every 2s)')
    const raw = flags as Record<string, unknown>
    const values = optionValues(
      DATA_OPTIONS,
      [],
      Object.fromEntries(Object.keys(DATA_OPTIONS).map((k) => [k, raw[flagName(k)]])),
      asFlag,
    )
    return executeData(
      {
        inventory: flags.inventory,
        args: dataArgsOf(args.experiment as DataExperiment, values),
        holdMs: requireDurationMs(flags.duration, '--duration'),
        baselineMs: requireDurationMs(flags.baseline, '--baseline'),
        settleMs: requireDurationMs(flags.settle, '--settle'),
        yes: flags.yes,
        acceptNewHostKeys: flags['accept-new-host-keys'],
        leaseTimeoutS: requireDurationMs(flags['lease-timeout'], '--lease-timeout') / 1000,
      },
      this.io(),
    )
  }
}
