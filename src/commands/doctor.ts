import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {defaultConfigFile, stateDir} from '../cli/paths.js'
import {errorMessage} from '../core/errors.js'
import {EXIT_CODES_HELP, ExitCode} from '../core/exit-codes.js'
import type {Inventory} from '../core/types.js'
import {
  agentCheck,
  bmcPasswordCheck,
  doctorReport,
  ipmitoolCheck,
  knownHostsChecks,
  nodeCheck,
  stateDirCheck,
  type DoctorCheck,
  type DoctorReport,
} from '../doctor/checks.js'
import {probeAgent, probeIpmitool, probeKnownHosts, probeStateDir} from '../doctor/probe.js'
import {loadInventory} from '../inventory/load.js'
import {envIsSet} from '../inventory/report.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check that this machine is ready to run hacheck, and say what is missing.'

  static override description = `Looks at this machine only (no node is contacted): the Node.js version, ssh-agent and its keys, known_hosts (with an inventory: whether every node's host key is known, since unknown hosts are refused), ipmitool (power faults and the BMC check), the BMC password variables the inventory names, hacheck's state directory and the config file in force.

Each line is ok, warn (needed only for some uses, or there is a fallback) or missing (a command will fail on it), with the fix. Exit 1 when something is missing.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -i prod.yaml',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = {
    inventory: Flags.string({
      char: 'i',
      summary:
        'Also check what this inventory needs (host keys, BMC passwords); defaults to $HACHECK_INVENTORY.',
      helpValue: 'FILE',
      env: 'HACHECK_INVENTORY',
    }),
  }

  public async run(): Promise<DoctorReport & {config?: string}> {
    const {flags} = await this.parse(Doctor)
    const checks: DoctorCheck[] = [nodeCheck(process.version, this.config.pjson.engines?.node ?? '>=20.19.0')]
    let inv: Inventory | undefined
    if (flags.inventory) {
      try {
        inv = await loadInventory(flags.inventory)
        checks.push({
          id: 'inventory',
          status: 'ok',
          detail: `${flags.inventory}: valid, ${inv.nodes.length} nodes`,
        })
      } catch (err) {
        checks.push({
          id: 'inventory',
          status: 'missing',
          detail: `${flags.inventory} cannot be used:\n${errorMessage(err)}`,
          fix: `hacheck inventory validate ${flags.inventory}`,
        })
      }
    }
    const [agent, known, ipmitool] = await Promise.all([probeAgent(), probeKnownHosts(inv), probeIpmitool()])
    checks.push(agentCheck(agent), ...knownHostsChecks(known, inv), ipmitoolCheck(ipmitool, inv))
    const bmc = inv ? bmcPasswordCheck(inv, envIsSet) : undefined
    if (bmc) checks.push(bmc)
    checks.push(stateDirCheck(stateDir(), probeStateDir()))
    checks.push(
      this.settings
        ? {id: 'config', status: 'ok', detail: `${this.settings.file} (valid)`}
        : {id: 'config', status: 'ok', detail: `no config file (optional: ${defaultConfigFile()})`},
    )
    const report = doctorReport(checks)
    for (const c of report.checks) {
      this.log(`${c.status.padEnd(7)} ${c.id.padEnd(13)} ${c.detail.replace(/\n/g, '\n' + ' '.repeat(22))}`)
      if (c.fix && c.status !== 'ok') this.log(`${' '.repeat(22)}fix: ${c.fix}`)
    }
    const missing = report.checks.filter((c) => c.status === 'missing').length
    this.log(missing ? `\n${missing} missing: see the fixes above.` : '\nReady.')
    if (missing) process.exitCode = ExitCode.findingsFailed
    return {...report, ...(this.settings ? {config: this.settings.file} : {})}
  }
}
