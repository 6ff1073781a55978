import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {visibleText} from '../../core/sanitize.js'
import {InventoryError, loadInventory, renderProblem} from '../../inventory/load.js'
import {referencedFiles} from '../../inventory/referenced.js'
import {lintInventory, type CheckUse, type LintFinding} from '../../inventory/lint.js'
import {summary, unsetBmcPasswords, type ProblemJson} from '../../inventory/report.js'

export interface ValidateResult {
  file: string
  valid: boolean
  nodes: string[]
  problems: ProblemJson[]
  /** Findings that do not make the inventory invalid: networks the checks read that are not defined, roles no check uses. */
  warnings: LintFinding[]
}

/** The checks of a checklist, with the parameters the checklist gives them. */
async function checkUses(checklist: string): Promise<CheckUse[]> {
  const [{loadChecklist, planFromChecklist}, {catalog}, {rolesOf}] = await Promise.all([
    import('../../audit/checklist.js'),
    import('../../checks/index.js'),
    import('../../audit/engine.js'),
  ])
  const checks = catalog()
  const planned = planFromChecklist(await loadChecklist(checklist, checks), checks)
  return planned.map((p) => ({id: p.check.id, params: p.params, roles: rolesOf(p.check)}))
}

export default class InventoryValidate extends BaseCommand<typeof InventoryValidate> {
  static override summary = 'Check an inventory file and list every problem with its line and column.'

  static override description = `Reads the inventory (YAML or JSON), checks it against schemas/inventory.schema.json and the rules a schema cannot express (unique node names, hosts and BMCs), and prints either "FILE: valid (N nodes: …)" or one line per problem:

  FILE:LINE:COL: PATH: expected …, found …

It also checks the inventory against the checks of --checklist: a role that is a likely typo of a known role (clustr, database) and a network name that is a near-miss of one a check reads are errors; a network a check reads that is not defined at all is a warning (the check falls back and says so), and a role no check uses is a note.

Exit code 0 when valid, 2 when not. FILE defaults to $HACHECK_INVENTORY, then inventory: in the config file. Files it names (ssh identityFile, knownHosts) must be files: a directory is an error, a file missing on this machine a warning (the audit may run on another controller). Addresses are compared in canonical form (2001:db8::1 however written; ::ffff:198.18.2.11 is 198.18.2.11). Text that looks like a secret is never repeated in a message. Files over 5 MiB are refused (docs/untrusted-input.md). An unset BMC passwordEnv variable is only a note here: power faults need it, audits do not. Format reference: docs/inventory.md.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> lab.yaml',
    '<%= config.bin %> <%= command.id %> lab.yaml --json',
    'HACHECK_INVENTORY=lab.yaml <%= config.bin %> <%= command.id %>',
  ]

  static override args = {
    file: Args.string({description: 'Inventory file (YAML or JSON). Defaults to $HACHECK_INVENTORY.'}),
  }

  static override flags = {
    checklist: Flags.string({
      summary: 'Check the inventory against this checklist (the networks its checks read).',
      default: 'ha-baseline',
      helpValue: 'NAME|FILE',
    }),
  }

  public async run(): Promise<ValidateResult> {
    const {args, flags} = await this.parse(InventoryValidate)
    const file = args.file ?? process.env.HACHECK_INVENTORY ?? this.configDefault('inventory')
    if (!file)
      throw new InputError(
        'missing FILE: give the inventory file, set HACHECK_INVENTORY, or inventory: in the config file',
      )
    try {
      const inv = await loadInventory(file)
      const findings = [...lintInventory(inv, await checkUses(flags.checklist)), ...referencedFiles(inv)]
      const errors = findings.filter((f) => f.severity === 'error')
      const warnings = findings.filter((f) => f.severity !== 'error')
      const problems = errors.map((f) => ({
        path: f.path,
        message: f.message,
        file,
        text: `${file}: ${f.path}: ${f.message}`,
      }))
      if (problems.length) {
        process.exitCode = ExitCode.invalidInput
        if (!this.jsonEnabled())
          process.stderr.write(problems.map((p) => `${visibleText(p.text)}\n`).join(''))
      } else this.log(`${file}: valid (${summary(inv)})`)
      for (const w of warnings)
        this.logToStderr(visibleText(`${w.severity}: ${file}: ${w.path}: ${w.message}`))
      for (const {node, env} of unsetBmcPasswords(inv)) {
        this.logToStderr(`note: ${node}: ${env} is not set; power faults on this node will need it`)
      }
      return {file, valid: problems.length === 0, nodes: inv.nodes.map((n) => n.name), problems, warnings}
    } catch (err) {
      if (!(err instanceof InventoryError)) throw err
      // Not thrown on: the problems are this command's result, and oclif would wrap long lines.
      process.exitCode = ExitCode.invalidInput
      if (!this.jsonEnabled()) process.stderr.write(`${visibleText(err.message)}\n`)
      const problems = err.problems.map((p) => ({...p, file, text: renderProblem(file, p)}))
      return {file, valid: false, nodes: [], problems, warnings: []}
    }
  }
}
