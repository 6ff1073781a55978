import {Flags} from '@oclif/core'

import {planFromChecklist, loadChecklist} from '../audit/checklist.js'
import {buildGatherPlan} from '../audit/engine.js'
import {gatherAll} from '../audit/facts.js'
import {LiveFactSource, saveCapture} from '../audit/sources.js'
import {clusterViewOf, identityOf, matchHistory} from '../audit/view-input.js'
import {readChaosHistory} from '../chaos/history.js'
import {catalog} from '../checks/index.js'
import {BaseCommand} from '../cli/base-command.js'
import {durationFlag} from '../cli/flags.js'
import {requireDurationMs} from '../core/duration.js'
import {InputError} from '../core/errors.js'
import {createProgress, progressMode} from '../cli/progress.js'
import {scrubSecrets} from '../core/secrets.js'
import {scrubCib} from '../facts/cibadmin.js'
import {loadInventory} from '../inventory/load.js'

export interface FactsResult {
  nodes: Record<
    string,
    {
      reachable: boolean
      error?: string
      gatherers: Record<string, {exitCode: number | null; stdout: string; stderr: string}>
    }
  >
  saved?: string
}

export default class Facts extends BaseCommand<typeof Facts> {
  static override summary = 'Show or capture the raw facts audit gathers from each node (read-only).'

  static override description = `Runs the same single read-only script per node that \`hacheck audit\` runs, and prints each gatherer's raw output, or saves a capture directory with --save. A capture holds no secrets (fence-agent passwords in the CIB and any registered secret are scrubbed) and can be audited anywhere, without SSH or root: \`hacheck audit --from DIR\`.`

  static override examples = [
    {
      description: 'Capture the lab for offline audits',
      command: '<%= config.bin %> <%= command.id %> -i /var/lib/hacheck-lab/inventory.yaml --save capture/',
    },
    {
      description: "One node's corosync.conf as hacheck sees it",
      command: '<%= config.bin %> <%= command.id %> -i prod.yaml --node n1 --gatherer corosync-conf',
    },
  ]

  static override flags = {
    inventory: Flags.string({
      char: 'i',
      summary: 'Inventory file; defaults to $HACHECK_INVENTORY.',
      helpValue: 'FILE',
      env: 'HACHECK_INVENTORY',
      required: true,
    }),
    node: Flags.string({summary: 'Only these nodes (repeatable).', multiple: true, helpValue: 'NAME'}),
    gatherer: Flags.string({summary: 'Only these gatherers (repeatable).', multiple: true, helpValue: 'ID'}),
    checklist: Flags.string({
      summary: 'Gather what this checklist needs.',
      default: 'ha-baseline',
      helpValue: 'NAME|FILE',
    }),
    save: Flags.string({
      summary: 'Save a capture directory (for `hacheck audit --from DIR`) instead of printing.',
      helpValue: 'DIR',
    }),
    concurrency: Flags.integer({summary: 'Nodes gathered at once.', default: 32, min: 1}),
    'connect-timeout': durationFlag({summary: 'SSH connect timeout per node.', default: '10s'}),
    timeout: durationFlag({summary: 'Time limit for gathering all facts of one node.', default: '60s'}),
    'accept-new-host-keys': Flags.boolean({
      summary: "Trust unknown SSH host keys and record them in hacheck's own known_hosts.",
    }),
  }

  public async run(): Promise<FactsResult> {
    const {flags} = await this.parse(Facts)
    const inventory = await loadInventory(flags.inventory)
    const gatherTimeoutMs = requireDurationMs(flags.timeout, '--timeout')
    const connectTimeoutMs = requireDurationMs(flags['connect-timeout'], '--connect-timeout')
    for (const n of flags.node ?? []) {
      if (!inventory.nodes.some((x) => x.name === n))
        throw new InputError(
          `--node ${n}: no such node in ${flags.inventory} (nodes: ${inventory.nodes.map((x) => x.name).join(', ')})`,
        )
    }
    const checks = catalog()
    const checklist = await loadChecklist(flags.checklist, checks)
    const planned = planFromChecklist(checklist, checks)
    const plan = buildGatherPlan(planned, {inventory, now: new Date()})
    const keepNode = (name: string): boolean => !flags.node?.length || flags.node.includes(name)
    const keepG = (id: string): boolean => !flags.gatherer?.length || flags.gatherer.includes(id)
    for (const m of [plan.node, plan.controller]) {
      for (const [name, gs] of m) {
        if (!keepNode(name)) m.delete(name)
        else
          m.set(
            name,
            gs.filter((g) => keepG(g.id)),
          )
      }
    }
    const known = new Set([...plan.node.values(), ...plan.controller.values()].flat().map((g) => g.id))
    for (const g of flags.gatherer ?? []) {
      if (
        !known.has(g) &&
        ![...checks.values()].some((c) => Object.values(c.facts).some((x) => (x as {id: string}).id === g))
      ) {
        throw new InputError(`--gatherer ${g}: unknown gatherer`)
      }
    }
    const {createSshPool, runLocal} = await import('../transport/index.js')
    const pool = createSshPool({
      concurrency: flags.concurrency,
      connectTimeoutMs,
      acceptNewHostKeys: flags['accept-new-host-keys'],
    })
    const source = new LiveFactSource(pool, (argv, o) => runLocal(argv, o), inventory, {
      gatherTimeoutMs,
      perGathererTimeoutS: Math.max(5, Math.floor(gatherTimeoutMs / 3000)),
    })
    const progress = createProgress(progressMode({quiet: !this.chatty()}))
    let outcome
    try {
      outcome = await progress.step('Gathering facts', () =>
        gatherAll(inventory, plan, source, {concurrency: flags.concurrency}),
      )
    } finally {
      await source.close()
    }
    const scrub = (id: string, text: string): string => (id === 'cibadmin' ? scrubCib(text) : text)
    const result: FactsResult = {nodes: {}}
    for (const n of inventory.nodes) {
      if (!outcome.facts.has(n.name)) continue
      const err = outcome.nodeErrors.get(n.name)
      const gatherers: FactsResult['nodes'][string]['gatherers'] = {}
      for (const [id, out] of outcome.raw.get(n.name) ?? []) {
        gatherers[id] = {
          exitCode: out.exitCode,
          stdout: scrubSecrets(scrub(id, out.stdout)),
          stderr: scrubSecrets(out.stderr),
        }
      }
      result.nodes[n.name] = {reachable: !err, ...(err ? {error: err.message} : {}), gatherers}
    }
    if (flags.save) {
      const view = clusterViewOf(inventory, outcome)
      const {mine} = matchHistory(readChaosHistory(), identityOf(inventory, outcome, view))
      await saveCapture(flags.save, inventory, outcome, {version: this.config.version, scrub, history: mine})
      result.saved = flags.save
      this.log(
        `saved a capture of ${Object.keys(result.nodes).length} node(s) to ${flags.save}; audit it with: hacheck audit --from ${flags.save}`,
      )
    } else if (!this.jsonEnabled()) {
      for (const [name, n] of Object.entries(result.nodes)) {
        if (!n.reachable) this.log(`=== ${name}: unreachable: ${n.error}`)
        for (const [id, g] of Object.entries(n.gatherers)) {
          this.log(`=== ${name} · ${id} · exit ${g.exitCode}`)
          if (g.stdout) this.log(g.stdout.replace(/\n$/, ''))
          if (g.stderr) this.log(`--- stderr\n${g.stderr.replace(/\n$/, '')}`)
        }
      }
    }
    return result
  }
}
