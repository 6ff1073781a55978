import {Args, Flags} from '@oclif/core'

import {faultFlags} from '../../chaos/cli/command.js'
import {executeData} from '../../chaos/cli/data-command.js'
import {DATA_EXPERIMENTS, type DataExperiment} from '../../chaos/plan/data-experiments.js'
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
  galera-partition     cut one Galera node off from the others (default: the last galera node): the minority must turn non-Primary and refuse writes.
  patroni-kill-leader  kill -9 the postgres of the Patroni leader (default: the current leader).
  patroni-cut-leader   partition the Patroni leader from etcd and the replicas (default: the current leader).
  etcd-stop-member     stop the etcd unit of one member (default: the etcd leader) under Patroni.

Writes go to every Galera node round-robin (mariadb-write) or to the Patroni leader (pg-leader-write, asking each member's REST API on port 8008 who leads), at --rate per second, into the run's own table hk_writes_<run>; after the revert and the recovery they are read back and accounted: lost, duplicated, accepted or refused by the minority, RPO, client RTO. The phases come from the nodes' polled state and the systems' own logs (MariaDB error log, Patroni log, etcd log).

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
    node: Flags.string({char: 'n', summary: 'Target node (default: see the experiments above).'}),
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
    rate: Flags.integer({summary: 'Writes per second.', default: 15, min: 1, max: 1000}),
    'write-timeout': durationFlag({
      summary: 'Per-write timeout (connect + INSERT); a write without an answer is unknown.',
      default: '3s',
    }),
    database: Flags.string({summary: 'Database of the write table (default: cluster.database.name).'}),
    'db-user': Flags.string({summary: 'Database user (default: cluster.database.user).'}),
    'db-port': Flags.integer({
      summary: 'Database port (default 3306 for Galera, 5432 for PostgreSQL).',
      min: 1,
      max: 65535,
    }),
    'keep-table': Flags.boolean({summary: "Keep the run's hk_writes_<run> table after the read-back."}),
    'lease-timeout': faultFlags['lease-timeout'],
    yes: faultFlags.yes,
    format: formatFlag(['console', 'json'] as const, 'Report format on stdout (or in --output).'),
    'accept-new-host-keys': faultFlags['accept-new-host-keys'],
  }

  public async run(): Promise<DataRunResult> {
    const {args, flags} = await this.parse(ChaosData)
    if (requireDurationMs(flags['lease-timeout'], '--lease-timeout') < 3000)
      throw new InputError('--lease-timeout: at least 3s (the lease is renewed every 2s)')
    return executeData(
      {
        inventory: flags.inventory,
        args: {
          experiment: args.experiment as DataExperiment,
          ...(flags.node !== undefined ? {node: flags.node} : {}),
          ...(flags.database !== undefined ? {database: flags.database} : {}),
          ...(flags['db-user'] !== undefined ? {user: flags['db-user']} : {}),
          ...(flags['db-port'] !== undefined ? {port: flags['db-port']} : {}),
          ratePerS: flags.rate,
          writeTimeoutMs: requireDurationMs(flags['write-timeout'], '--write-timeout'),
          keepTable: flags['keep-table'],
        },
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
