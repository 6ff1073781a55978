/**
 * What every `hacheck chaos <fault>` command shares: flags, the workload from
 * --load, the SSH pool, output formats and the exit code. The commands
 * themselves are built from the fault declarations (fault-command.ts). The
 * flags every hacheck command has (-o, -q, --json, …) come from src/cli/flags.ts.
 */
import {Flags} from '@oclif/core'

import {durationFlag, formatFlag} from '../../cli/flags.js'
import type {CommandIo} from '../../cli/output.js'

import {requireDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {sanitizeDeep, visibleText} from '../../core/sanitize.js'
import type {CommandRunner, Inventory} from '../../core/types.js'
import {loadInventory} from '../../inventory/load.js'
import {isWriteExpectation, needsWriteWorkload, parseExpectation} from '../measure/expectations.js'
import {DEFAULT_WRITE_TIMEOUT_MS} from '../workloads/pg/target.js'
import {DEFAULT_PROBE_TIMEOUT_MS, DEFAULT_RATE} from '../workloads/probes.js'
import {workloadOf} from '../workloads/index.js'
import {workloadFromFlags} from '../workloads/select.js'
import {DEFAULT_SESSION_USERS} from '../workloads/sessions.js'
import type {WorkloadSpec} from '../workloads/types.js'
import {renderFaultDryRun} from '../report/dry-run.js'
import {renderChaosHtml} from '../report/html.js'
import {renderChaosJUnit} from '../report/junit.js'
import {renderChaosMarkdown} from '../report/markdown.js'
import {createLiveView, liveMode, type LiveView} from '../report/live.js'
import {renderResultText} from '../report/text.js'
import type {ChaosResult} from '../measure/result.js'
import {newRunId} from '../run/experiment.js'
import {runFault, statusExit} from '../run/fault.js'
import type {FaultSelection} from '../run/prepare.js'
import type {LocalRun} from '../safety/steps.js'
import type {TimelineEvent} from '../timeline.js'
import {latestChaos, promChaosFrom, renderPrometheus} from '../../reporters/prometheus.js'

export const FORMATS = ['console', 'json', 'junit', 'markdown', 'html', 'prometheus'] as const
export type ChaosFormat = (typeof FORMATS)[number]

export const faultFlags = {
  inventory: Flags.string({
    char: 'i',
    summary: 'Inventory file (YAML or JSON) describing the cluster and its nodes.',
    helpValue: 'FILE',
    env: 'HACHECK_INVENTORY',
    required: true,
  }),
  duration: durationFlag({
    char: 'd',
    summary: 'How long the fault stays in place (then it is reverted), e.g. 30s, 2m.',
    default: '30s',
    aliases: ['hold'],
  }),
  load: Flags.string({
    summary:
      'Workload during the run: http(s)://VIP:PORT/PATH, tcp://HOST:PORT, pg-write (PostgreSQL writes through the VIP; acknowledged writes lost are counted), or sessions (users log in through https://VIP/login, then keep requesting /whoami with their cookie; users logged out are counted). Default: the inventory service url.',
    description:
      'Alias: --workload. pg-write writes sequence numbers at --rate per second, each one autocommit INSERT to the primary behind the VIP (the inventory cluster.database, else the VIP on port 5432; or --pg-url; a connection that failed is never reused), reads them back after the recovery, drops its table and reports metrics.ackedWrites, metrics.lostWrites and metrics.rpoMs. Example: --workload pg-write --expect "lost-writes == 0" --expect "rpo <= 0s".',
    helpValue: 'URL|pg-write',
    aliases: ['workload'],
  }),
  users: Flags.integer({
    summary: 'sessions workload: how many users log in before the fault (each one then requested in turn).',
    default: DEFAULT_SESSION_USERS,
    min: 1,
    max: 1000,
  }),
  'pg-url': Flags.string({
    summary:
      'pg-write: where to connect, postgres://USER@HOST:PORT/DB (default: the inventory cluster.database, else the VIP). No password here: use cluster.database.passwordEnv or PGPASSWORD.',
    helpValue: 'URL',
  }),
  'write-timeout': durationFlag({
    summary:
      'pg-write: per-write timeout (connect at most 1s + INSERT); a write without an answer by then is unknown, never acknowledged.',
    default: `${DEFAULT_WRITE_TIMEOUT_MS / 1000}s`,
  }),
  'pg-keep-table': Flags.boolean({
    summary: "pg-write: keep the run's hacheck_writes_<run> table after the read-back (drop it yourself).",
  }),
  'probe-command': Flags.string({
    summary: 'Custom probe run on this machine (bash -c) at the probe rate; exit 0 = up.',
    helpValue: 'CMD',
    exclusive: ['load'],
  }),
  rate: Flags.integer({
    summary:
      'Probes (or pg-write writes) per second, on a fixed schedule (probes on a fresh connection each).',
    default: DEFAULT_RATE,
    min: 1,
    max: 1000,
  }),
  'probe-timeout': durationFlag({
    summary: 'Per-probe timeout (below the 1 s SYN retransmit).',
    default: `${DEFAULT_PROBE_TIMEOUT_MS}ms`,
  }),
  insecure: Flags.boolean({summary: 'HTTPS probes accept any certificate.'}),
  'no-load': Flags.boolean({summary: 'No workload, even if the inventory declares a service url.'}),
  expect: Flags.string({
    summary:
      'Expectation, e.g. "rto <= 30s", "fenced: n1", "no-split-brain" (repeatable; default: the fault\'s own).',
    multiple: true,
  }),
  'abort-when': Flags.string({
    summary:
      'Abort condition while the fault is in place (repeatable): "client-outage > 45s", "client-outage > 2x rto", "quorum-lost", "fenced-other", "vip-holders > 1". When one trips, hacheck reverts at once and the run is aborted.',
    multiple: true,
    helpValue: 'CONDITION',
  }),
  baseline: durationFlag({summary: 'Steady-state time before the fault.', default: '3s'}),
  settle: durationFlag({
    summary: 'After the revert, wait at most this long for clients and cluster to recover.',
    default: '90s',
  }),
  'lease-timeout': durationFlag({
    summary: 'The node-side dead-man reverts when hacheck has not renewed its lease for this long.',
    default: '10s',
  }),
  'no-observe': Flags.boolean({summary: 'Do not poll the cluster (crm_mon, VIP holders) during the run.'}),
  'no-logs': Flags.boolean({summary: "Do not read Pacemaker's log on the survivors afterwards."}),
  'allow-quorum-loss': Flags.boolean({summary: 'Allow a fault that leaves no quorate partition.'}),
  'dry-run': Flags.boolean({
    summary: 'Print the exact commands per node (inject, verify, revert, dead-man) and change nothing.',
  }),
  yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation (required without a terminal).'}),
  format: formatFlag(FORMATS, 'Report format on stdout (or in --output); json is the same as --json.'),
  'accept-new-host-keys': Flags.boolean({
    summary: "Record unknown SSH host keys in hacheck's known_hosts instead of refusing them.",
  }),
}

export interface CommonFlagValues {
  inventory: string
  duration: string
  load?: string
  'pg-url'?: string
  'write-timeout': string
  'pg-keep-table': boolean
  'probe-command'?: string
  rate: number
  /** sessions workload: users logged in (default DEFAULT_SESSION_USERS). */
  users?: number
  'probe-timeout': string
  insecure: boolean
  'no-load': boolean
  expect?: string[]
  'abort-when'?: string[]
  baseline: string
  settle: string
  'lease-timeout': string
  'no-observe': boolean
  'no-logs': boolean
  'allow-quorum-loss': boolean
  'dry-run': boolean
  yes: boolean
  format: string
  'accept-new-host-keys': boolean
}

/** The workload from --load / --probe-command / the inventory's service url (workloads/select.ts). */
export function workloadFrom(
  f: CommonFlagValues,
  inv: Inventory,
  env: NodeJS.ProcessEnv = process.env,
): WorkloadSpec | undefined {
  return workloadFromFlags(
    {
      ...(f.load !== undefined ? {load: f.load} : {}),
      ...(f['probe-command'] ? {probeCommand: f['probe-command']} : {}),
      ...(f['pg-url'] !== undefined ? {pgUrl: f['pg-url']} : {}),
      noLoad: f['no-load'],
      rate: f.rate,
      probeTimeoutMs: requireDurationMs(f['probe-timeout'], '--probe-timeout'),
      writeTimeoutMs: requireDurationMs(f['write-timeout'], '--write-timeout'),
      insecure: f.insecure,
      keepTable: f['pg-keep-table'],
      dryRun: f['dry-run'],
      users: f.users ?? DEFAULT_SESSION_USERS,
    },
    inv,
    env,
  )
}

export function renderReport(
  format: ChaosFormat,
  raw: {result: ChaosResult; timeline: readonly TimelineEvent[]}[],
  rawTitle?: string,
): string {
  // The sanitising boundary (src/core/sanitize.ts): node output never reaches a report raw.
  const results = format === 'json' ? raw : sanitizeDeep(raw)
  const title = rawTitle === undefined ? undefined : visibleText(rawTitle)
  switch (format) {
    case 'json':
      return (
        JSON.stringify(results.length === 1 ? results[0]?.result : results.map((r) => r.result), null, 2) +
        '\n'
      )
    case 'junit':
      return renderChaosJUnit(
        results.map((r) => r.result),
        title,
      )
    case 'html':
      return renderChaosHtml(results, title)
    case 'markdown':
      return renderChaosMarkdown(
        results.map((r) => r.result),
        title,
      )
    case 'prometheus':
      return renderPrometheus({chaos: latestChaos(results.map((r) => r.result)).map(promChaosFrom)})
    case 'console':
      return results.map((r) => renderResultText(r.result)).join('\n')
  }
}

export interface Infra {
  runner: CommandRunner
  local: LocalRun
  close(): Promise<void>
}

export async function createInfra(opts: {acceptNewHostKeys?: boolean} = {}): Promise<Infra> {
  const {createSshPool, runLocal} = await import('../../transport/index.js')
  // Keepalive matters here: a link pull must not leave hacheck waiting on a dead connection.
  const pool = createSshPool({
    acceptNewHostKeys: opts.acceptNewHostKeys,
    keepaliveIntervalMs: 2000,
    keepaliveCountMax: 3,
    connectTimeoutMs: 8000,
  })
  return {
    runner: pool,
    local: (argv, o) => runLocal(argv, {env: o.env, timeoutMs: o.timeoutMs}),
    close: () => pool.close(),
  }
}

/** What `--dry-run` returns in JSON mode. */
export interface DryRunJson {
  status: 'dry-run'
  fault: string
  target: string[]
  plan: unknown
  preflight: unknown
}

/**
 * Runs a fault command end to end from its parsed flags and the fault as the
 * operator chose it. Sets process.exitCode.
 * In JSON mode nothing is written: the result (or the dry-run plan) is
 * returned for the command to print.
 */
export async function executeFault(
  flags: CommonFlagValues,
  selection: FaultSelection,
  io: CommandIo,
): Promise<ChaosResult | DryRunJson | undefined> {
  const format = flags.format as ChaosFormat
  const holdMs = requireDurationMs(flags.duration, '--duration')
  const baselineMs = requireDurationMs(flags.baseline, '--baseline')
  const settleMs = requireDurationMs(flags.settle, '--settle')
  const leaseS = requireDurationMs(flags['lease-timeout'], '--lease-timeout') / 1000
  if (leaseS < 3) throw new InputError('--lease-timeout: at least 3s (the lease is renewed every 2s)')
  const inv = await loadInventory(flags.inventory)
  const workload = workloadFrom(flags, inv)
  for (const e of flags.expect ?? []) {
    const parsed = parseExpectation(e)
    if (isWriteExpectation(parsed) && !(workload && workloadOf(workload).writes))
      throw new InputError(
        `--expect ${needsWriteWorkload(parsed.text).replace(/; no write workload ran$/, '')}`,
        {
          code: 'invalid-expectation',
        },
      )
  }
  const live: LiveView = createLiveView(liveMode({quiet: io.quiet}))
  const infra = await createInfra({acceptNewHostKeys: flags['accept-new-host-keys']})
  const runId = newRunId()
  try {
    const out = await runFault(selection, {
      inventory: inv,
      runner: infra.runner,
      local: infra.local,
      runId,
      holdMs,
      lease: {timeoutS: leaseS, ttlMarginS: 120},
      workload,
      expectations: flags.expect,
      ...(flags['abort-when'] ? {abortWhen: flags['abort-when']} : {}),
      baselineMs,
      settleMs,
      observe: !flags['no-observe'],
      readLogs: !flags['no-logs'],
      dryRun: flags['dry-run'],
      yes: flags.yes,
      allowQuorumLoss: flags['allow-quorum-loss'],
      live,
    })
    await live.close()
    if (out.kind === 'dry-run') {
      if (io.json)
        return {
          status: 'dry-run',
          fault: out.plan.fault,
          target: out.plan.targets,
          plan: out.plan,
          preflight: out.preflight,
        }
      io.write(renderFaultDryRun(out))
      return undefined
    }
    const code = statusExit(out.result)
    if (code !== ExitCode.ok) process.exitCode = code
    if (io.json) return out.result
    io.write(renderReport(format, [out]))
    if (io.output && !io.quiet)
      process.stderr.write(`hacheck chaos: ${out.result.status}: report written to ${io.output}\n`)
    return out.result
  } finally {
    await live.close()
    await infra.close()
  }
}
