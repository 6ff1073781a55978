/**
 * `hacheck audit`: its flags and what it does with them, apart from the oclif
 * command class (src/commands/audit.ts), so that the start-up fast path
 * (src/entry/fast-audit.ts, loaded by bin/run.js) parses the very same flag
 * declarations with oclif's own parser and runs the very same code without
 * importing @oclif/core's command machinery (docs/performance.md, "Start-up").
 * Flags come from '@oclif/core/flags', which the fast path's bundle carries.
 */
import type {Interfaces} from '@oclif/core'
import * as Flags from '@oclif/core/flags'

import {itemTitles, loadChecklist, planFromChecklist} from '../audit/checklist.js'
import {explanationsFor} from '../audit/explain.js'
import {runAudit} from '../audit/run.js'
import {CaptureFactSource, LiveFactSource} from '../audit/sources.js'
import {applyWaivers, loadWaiverFile} from '../audit/waivers.js'
import {catalog} from '../checks/index.js'
import {checkOutputFile, writeOutputFile} from '../cli/files.js'
import {durationFlag} from '../cli/flags.js'
import {createProgress, progressMode} from '../cli/progress.js'
import {requireDurationMs} from '../core/duration.js'
import {InputError} from '../core/errors.js'
import {exitCodeFor, type AuditRun} from '../core/results.js'
import type {Inventory} from '../core/types.js'
import type {FleetRun} from '../fleet/summary.js'
import {loadInventory} from '../inventory/load.js'
import {AUDIT_FORMATS, formatForFile, renderAudit, type AuditFormat} from '../reporters/index.js'
import {writeAuditJson} from '../reporters/json.js'

export const auditFlags = {
  inventory: Flags.string({
    char: 'i',
    summary: 'Inventory file (YAML or JSON); defaults to $HACHECK_INVENTORY.',
    helpValue: 'FILE',
    env: 'HACHECK_INVENTORY',
    exclusive: ['from', 'fleet'],
  }),
  from: Flags.string({
    summary: 'Audit a capture directory saved by `hacheck facts --save` instead of live nodes.',
    helpValue: 'DIR',
    exclusive: ['fleet'],
  }),
  fleet: Flags.string({
    summary:
      'Audit every cluster of a fleet: a fleet file, or a directory of inventories (NAME.yaml or NAME/inventory.yaml).',
    description:
      "Clusters are audited concurrently, each through its own SSH pool (closed when the cluster is done), all sharing one node budget: --concurrency is the number of nodes worked on at once across the whole fleet. One result per cluster plus a fleet summary; an invalid or unreachable cluster does not stop the others. The exit code is the worst cluster's (3 > 2 > 1 > 0). Formats: console, json, markdown, prometheus. See docs/fleet.md.",
    helpValue: 'DIR|FILE',
  }),
  'output-dir': Flags.string({
    summary: "Fleet: also write each cluster's audit JSON to DIR/<cluster>.json.",
    helpValue: 'DIR',
    dependsOn: ['fleet'],
  }),
  history: Flags.string({
    summary:
      "Save the run (each cluster's, with --fleet) to this history directory; `hacheck report trend` reads it.",
    env: 'HACHECK_HISTORY',
    helpValue: 'DIR',
  }),
  'push-gateway': Flags.string({
    summary:
      'Push the metrics (Prometheus text format) to this Pushgateway after the run, e.g. http://pushgateway:9091.',
    helpValue: 'URL',
  }),
  checklist: Flags.string({
    summary: 'Bundled checklist name or path to a checklist YAML.',
    default: 'ha-baseline',
    helpValue: 'NAME|FILE',
  }),
  only: Flags.string({
    summary: 'Run only these check ids or checklist item refs (repeatable).',
    multiple: true,
    helpValue: 'ID',
  }),
  skip: Flags.string({
    summary: 'Skip these check ids or checklist item refs (repeatable).',
    multiple: true,
    helpValue: 'ID',
  }),
  format: Flags.string({
    char: 'f',
    summary: 'Report format (repeatable; pairs with --output in order).',
    options: [...AUDIT_FORMATS],
    multiple: true,
  }),
  waivers: Flags.string({
    summary: 'Waiver file (YAML or JSON): accepted deviations reported as waived until they expire.',
    helpValue: 'FILE',
    env: 'HACHECK_WAIVERS',
  }),
  output: Flags.string({
    char: 'o',
    summary: 'Write the report to FILE (repeatable).',
    multiple: true,
    helpValue: 'FILE',
  }),
  concurrency: Flags.integer({
    summary: 'Nodes gathered at once (with --fleet: across all clusters, the global connection budget).',
    default: 32,
    min: 1,
  }),
  'connect-timeout': durationFlag({summary: 'SSH connect timeout per node.', default: '10s'}),
  timeout: durationFlag({summary: 'Time limit for gathering all facts of one node.', default: '60s'}),
  'accept-new-host-keys': Flags.boolean({
    summary:
      "Trust unknown SSH host keys and record them in hacheck's own known_hosts (a changed key is always refused).",
  }),
}

export type AuditCliFlags = Interfaces.InferredFlags<typeof auditFlags>

/** What the audit needs to know about how the command was started. */
export interface AuditCliContext {
  /** JSON mode (--json, or one --format json without --output): the result is printed as JSON by the caller. */
  json: boolean
  /** Progress and notes on stderr. */
  chatty: boolean
  /** Colors on stdout. */
  color: boolean
  /** hacheck's version, recorded in the run. */
  version: string
}

export async function runAuditCli(flags: AuditCliFlags, ctx: AuditCliContext): Promise<AuditRun | FleetRun> {
  if (!flags.inventory && !flags.from && !flags.fleet) {
    throw new InputError(
      'give the nodes to audit: -i INVENTORY (or $HACHECK_INVENTORY), --from CAPTURE_DIR, or --fleet DIR',
    )
  }
  const outputs = outputPlan(flags.format ?? [], flags.output ?? [], ctx.json)
  const progress = createProgress(progressMode({quiet: !ctx.chatty}))
  const connectTimeoutMs = requireDurationMs(flags['connect-timeout'], '--connect-timeout')
  const gatherTimeoutMs = requireDurationMs(flags.timeout, '--timeout')
  if (flags.fleet) {
    const color = ctx.color
    const {auditFleet} = await import('../fleet/command.js')
    const fleet = await auditFleet({
      fleet: flags.fleet,
      outputs,
      budget: flags.concurrency,
      connectTimeoutMs,
      gatherTimeoutMs,
      acceptNewHostKeys: flags['accept-new-host-keys'],
      checklist: flags.checklist,
      only: flags.only,
      skip: flags.skip,
      history: flags.history,
      outputDir: flags['output-dir'],
      pushGateway: flags['push-gateway'],
      quiet: !ctx.chatty,
      color,
      json: ctx.json,
      version: ctx.version,
    })
    process.exitCode = fleet.summary.exitCode
    return fleet
  }

  let inventory: Inventory
  let source: LiveFactSource | CaptureFactSource
  if (flags.from) {
    const capture = await CaptureFactSource.open(flags.from)
    inventory = capture.inventory()
    source = capture
  } else {
    inventory = await loadInventory(flags.inventory as string)
    const {createSshPool, runLocal} = await import('../transport/index.js')
    const pool = createSshPool({
      concurrency: flags.concurrency,
      connectTimeoutMs,
      acceptNewHostKeys: flags['accept-new-host-keys'],
    })
    source = new LiveFactSource(pool, (argv, o) => runLocal(argv, o), inventory, {
      gatherTimeoutMs,
      perGathererTimeoutS: Math.max(5, Math.floor(gatherTimeoutMs / 1000 / 3)),
    })
  }
  // Items 6-7 read hacheck's own chaos runs; the audit keeps those whose cluster identity is this
  // cluster's. A capture carries the runs that matched when it was taken.
  const history =
    source instanceof CaptureFactSource
      ? await source.history()
      : (await import('../chaos/history.js')).readChaosHistory(undefined)
  const checks = catalog()
  // The waiver file is checked before any node is contacted.
  const waivers = flags.waivers ? await loadWaiverFile(flags.waivers, [...checks.keys()]) : undefined
  const checklist = await loadChecklist(flags.checklist, checks)
  const planned = planFromChecklist(checklist, checks, {only: flags.only, skip: flags.skip})

  let run: AuditRun
  try {
    const total = inventory.nodes.length
    run = await progress.step(`Gathering facts from ${total} nodes`, async (update) => {
      let done = 0
      let failed = 0
      const r = await runAudit({
        inventory,
        checklist,
        planned,
        source,
        sourceInfo: flags.from
          ? {mode: 'capture', capture: flags.from}
          : {mode: 'live', inventory: inventory.file},
        concurrency: flags.concurrency,
        version: ctx.version,
        history,
        // Judged as of when the facts were read: "fenced 2 h ago" is about the capture, not today.
        ...(source instanceof CaptureFactSource ? {now: source.capturedAt()} : {}),
        onNodeDone: (_n, ok) => {
          done++
          if (!ok) failed++
          update(`Gathering facts: ${done}/${total} nodes${failed ? `, ${failed} unreachable` : ''}`)
        },
      })
      return r.run
    })
  } finally {
    await source.close()
  }

  if (waivers) run = applyWaivers(run, waivers, new Date())
  const titles = itemTitles(checklist)
  const color = ctx.color
  const explanations = outputs.some((o) => o.format === 'html')
    ? explanationsFor(new Set(run.results.map((r) => r.id)), checks)
    : undefined
  const exp = await import('../fleet/outputs.js')
  const wantsProm = outputs.some((o) => o.format === 'prometheus') || flags['push-gateway']
  const prometheus = wantsProm ? exp.promAudits([run], flags.history)[0] : undefined
  for (const o of outputs) {
    if (o.format === 'json' && o.file) {
      // Written piece by piece: the whole text of a big fleet's report costs tens of MB at once.
      await writeAuditJson(o.file, run)
      continue
    }
    const text = renderAudit(o.format, run, {
      color: o.file ? false : color,
      itemTitles: titles,
      ...(o.file ? {} : {width: terminalWidth()}),
      ...(explanations ? {explanations} : {}),
      ...(prometheus ? {prometheus} : {}),
    })
    if (o.file) writeOutputFile(o.file, text)
    else if (!ctx.json) process.stdout.write(text)
  }
  // After the reports: a history or push failure (exit 3) must not cost the operator the report.
  if (flags.history) exp.saveHistory([run], flags.history)
  if (flags['push-gateway']) {
    const {pushMetrics} = await import('../transport/pushgateway.js')
    await pushMetrics(renderAudit('prometheus', run, {color: false, itemTitles: titles, prometheus}), {
      url: flags['push-gateway'],
      job: 'hacheck',
      grouping: {instance: run.cluster.name},
    })
  }
  process.exitCode = exitCodeFor(run.results)
  return run
}

function outputPlan(
  formats: string[],
  files: string[],
  json: boolean,
): {format: AuditFormat; file?: string}[] {
  const plan: {format: AuditFormat; file?: string}[] = []
  const n = Math.max(formats.length, files.length)
  for (let i = 0; i < n; i++) {
    const file = files[i]
    const format = (formats[i] as AuditFormat | undefined) ?? (file ? formatForFile(file) : undefined)
    if (!format)
      throw new InputError(`--output ${file}: cannot tell the format from the extension; add --format`)
    if (file) checkOutputFile(file)
    plan.push({format, ...(file ? {file} : {})})
  }
  if (plan.filter((p) => !p.file).length > 1) {
    throw new InputError('only one --format can go to stdout; give the others an --output FILE')
  }
  if (!plan.some((p) => !p.file) && !json) plan.push({format: 'console'})
  return plan
}

/** Columns to wrap the console report to: the terminal's, else $COLUMNS, else 100. */
function terminalWidth(): number {
  const cols = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS)
  return cols && Number.isFinite(cols) && cols > 0 ? cols : 100
}
