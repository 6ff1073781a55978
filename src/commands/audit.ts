import {auditFlags, runAuditCli} from '../entry/audit-cli.js'
import {BaseCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../core/exit-codes.js'
import type {AuditRun} from '../core/results.js'
import type {FleetRun} from '../fleet/summary.js'

/**
 * The oclif command. Its flags and its run are src/entry/audit-cli.ts, shared with the
 * start-up fast path that bin/run.js takes for `hacheck audit` (src/entry/fast-audit.ts);
 * `hacheck audit --help`, a config file or a command line the fast path does not
 * accept as it is come here.
 */
export default class Audit extends BaseCommand<typeof Audit> {
  static override summary =
    'Audit the HA deployment checklist on live nodes (read-only, over SSH) or on a saved capture.'

  static override description = `Connects to every node of the inventory (one SSH connection and ONE round trip per node, nodes in parallel), gathers read-only facts (corosync, pacemaker, fencing, network, storage, TLS, logging, capacity) and judges each checklist item with evidence and remediation. Nothing is changed on the nodes.

Statuses: pass, fail, warn (a weaker-than-recommended setup, or a failed check of severity warning), skip (does not apply, with the reason) and error (could not tell: never counted as a pass).

--waivers FILE applies known, accepted deviations (check, cluster, nodes, reason, owner, expiry; schemas/waivers.schema.json): a fail or warn they cover is reported as waived, with the reason, and does not fail the run; once a waiver has expired, the check counts again and the expired waiver is itself a warning (docs/waivers.md).

--format and --output come in pairs, in order: --format junit --output audit.xml --format console prints the console report and writes JUnit. An --output without --format takes its format from the extension (.json, .xml, .md, .html, .txt). The console report wraps to the terminal width ($COLUMNS when not on a terminal).

${EXIT_CODES_HELP}`

  static override examples = [
    {
      description: 'Audit the lab (after `hacheck lab up`)',
      command: '<%= config.bin %> <%= command.id %> -i /var/lib/hacheck-lab/inventory.yaml',
    },
    {
      description: 'Audit a saved capture, no SSH needed',
      command: '<%= config.bin %> <%= command.id %> --from examples/lab-healthy',
    },
    {
      description: 'CI: JUnit for the pipeline, console for the log',
      command:
        '<%= config.bin %> <%= command.id %> -i prod.yaml --format junit --output audit.xml --format console',
    },
    {
      description: 'Only the fencing and quorum items',
      command: '<%= config.bin %> <%= command.id %> -i prod.yaml --only 1 --only 2',
    },
  ]

  static override flags = auditFlags

  public async run(): Promise<AuditRun | FleetRun> {
    const {flags} = await this.parse(Audit)
    return runAuditCli(flags, {
      json: this.jsonEnabled(),
      chatty: this.chatty(),
      color: this.useColor(),
      version: this.config.version,
    })
  }
}
