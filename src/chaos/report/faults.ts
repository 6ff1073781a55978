/**
 * `hacheck chaos list` and `hacheck chaos explain FAULT|EXPERIMENT`: the fault
 * declarations, and the data-tier experiments, in words (pure). What an option
 * is called on the command line and in a game day, its type and default, the
 * rules between options, what each phase does on the nodes and what the
 * dead-man undoes.
 */
import type {AnyFault} from '../faults/parts/define.js'
import {expectedText, flagName, type OptionSpec} from '../plan/options.js'
import {
  DATA_EXPERIMENT_SUMMARY,
  DATA_EXPERIMENTS,
  DATA_OPTIONS,
  type DataExperiment,
} from '../run/data-plan.js'

export interface FaultOptionDoc {
  key: string
  flag: string
  type: string
  default?: string | number | boolean
  required: boolean
  description: string
  expected: string
}

export interface FaultDoc {
  id: string
  summary: string
  description: string
  target: {required: boolean; description: string} | null
  options: FaultOptionDoc[]
  rules: string[]
  phases: AnyFault['phases']
}

function typeOf(spec: OptionSpec): string {
  return spec.type === 'enum' ? spec.values.join('|') : spec.type
}

function optionDocs(options: Readonly<Record<string, OptionSpec>>): FaultOptionDoc[] {
  return Object.entries(options).map(([key, spec]) => ({
    key,
    flag: `--${flagName(key)}`,
    type: typeOf(spec),
    ...(spec.default !== undefined ? {default: spec.default} : {}),
    required: spec.required === true,
    description: spec.description,
    expected: expectedText(spec),
  }))
}

function optionLines(options: readonly FaultOptionDoc[]): string[] {
  if (!options.length) return []
  return [
    'Options (flag / game-day key under with:):',
    ...options.flatMap((o) => [
      `  ${o.flag} / ${o.key}  ${o.type}${o.required ? ', required' : ''}${o.default !== undefined ? `, default ${String(o.default)}` : ''}`,
      `      ${o.description} Expected: ${o.expected}.`,
    ]),
    '',
  ]
}

export function faultDoc(f: AnyFault): FaultDoc {
  return {
    id: f.id,
    summary: f.summary,
    description: f.description,
    target: f.target ? {required: f.target.required, description: f.target.description} : null,
    options: optionDocs(f.options),
    rules: (f.rules ?? []).map((r) =>
      'exactlyOne' in r
        ? `exactly one of ${r.exactlyOne.join(', ')}`
        : `at least one of ${r.atLeastOne.join(', ')}`,
    ),
    phases: f.phases,
  }
}

export function renderFaultList(faults: readonly AnyFault[]): string {
  const width = Math.max(...faults.map((f) => f.id.length))
  return [
    ...faults.map((f) => `${f.id.padEnd(width)}  ${f.summary}`),
    '',
    `${faults.length} faults. Details: hacheck chaos explain FAULT`,
    '',
  ].join('\n')
}

/** A game-day step using the fault: the options it needs (required, and the first of each rule). */
function stepExample(f: AnyFault): string[] {
  const needed = new Set([
    ...Object.entries(f.options)
      .filter(([, s]) => s.required)
      .map(([k]) => k),
    ...(f.rules ?? []).map((r) => ('exactlyOne' in r ? r.exactlyOne[0] : r.atLeastOne[0]) as string),
  ])
  const opts = [...needed].map((k) => {
    const s = f.options[k] as OptionSpec
    return `${k}: ${s.type === 'boolean' ? 'true' : `<${expectedText(s)}>`}`
  })
  return [
    'steps:',
    `  - name: ${f.id}-step`,
    `    fault: ${f.id}`,
    ...(f.target && f.target.required ? ['    target: "@service"'] : []),
    ...(opts.length ? [`    with: {${opts.join(', ')}}`] : []),
    '    duration: 30s',
  ]
}

export function renderFaultExplain(f: AnyFault): string {
  const d = faultDoc(f)
  const lines = [`${d.id} — ${d.summary}`, '', d.description, '']
  if (d.target)
    lines.push(
      `Target (--node, a step's target:)${d.target.required ? ', required' : ''}: ${d.target.description}`,
      '',
    )
  lines.push(...optionLines(d.options))
  if (d.rules.length) lines.push(`Rules: ${d.rules.join('; ')}.`, '')
  lines.push(
    'Phases:',
    `  inject:   ${d.phases.inject}`,
    `  verify:   ${d.phases.verify}`,
    `  revert:   ${d.phases.revert}`,
    `  dead-man: ${d.phases.deadman}`,
    '',
    'In a game day:',
    ...stepExample(f).map((l) => `  ${l}`),
    '',
    `The exact commands on each node: hacheck chaos ${d.id} … --dry-run`,
    '',
  )
  return lines.join('\n')
}

/** A data-tier experiment (`hacheck chaos data EXPERIMENT`, a game-day step's `experiment:`) in words. */
export interface ExperimentDoc {
  id: DataExperiment
  kind: 'data-experiment'
  summary: string
  options: FaultOptionDoc[]
}

export function experimentDoc(id: DataExperiment): ExperimentDoc {
  return {
    id,
    kind: 'data-experiment',
    summary: DATA_EXPERIMENT_SUMMARY[id],
    options: optionDocs(DATA_OPTIONS as unknown as Record<string, OptionSpec>),
  }
}

export function renderExperimentList(): string {
  const width = Math.max(...DATA_EXPERIMENTS.map((e) => e.length))
  return [
    "Data-tier experiments (a fault, a write workload and the system's own log, run by hacheck chaos data EXPERIMENT or a game-day step's experiment:):",
    ...DATA_EXPERIMENTS.map((e) => `${e.padEnd(width)}  ${DATA_EXPERIMENT_SUMMARY[e]}`),
    '',
    `${DATA_EXPERIMENTS.length} experiments. Details: hacheck chaos explain EXPERIMENT`,
    '',
  ].join('\n')
}

export function renderExperimentExplain(id: DataExperiment): string {
  const d = experimentDoc(id)
  return [
    `${d.id} — data-tier experiment: ${d.summary}`,
    '',
    'A write workload runs against the database through the whole run; every write is recorded and read back',
    'after recovery, so the report counts the acknowledged writes lost (RPO) and those a cut-off minority accepted',
    "(split brain), by id; the failover phases come from the nodes' polled state and the system's own log.",
    "The hold, the baseline and the settle time are --duration, --baseline and --settle (a step's duration:,",
    'baseline:, settle:). Database passwords only from the environment: MYSQL_PWD or PGPASSWORD.',
    '',
    ...optionLines(d.options),
    'In a game day:',
    '  steps:',
    `    - name: ${d.id}-step`,
    `      experiment: ${d.id}`,
    '      duration: 30s',
    '',
    `The exact commands on each node: hacheck chaos data ${d.id} -i INVENTORY … --dry-run`,
    '',
  ].join('\n')
}
