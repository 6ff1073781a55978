/**
 * `hacheck chaos list` and `hacheck chaos explain FAULT`: the fault
 * declarations in words (pure). What an option is called on the command line
 * and in a game day, its type and default, the rules between options, what
 * each phase does on the nodes and what the dead-man undoes.
 */
import type {AnyFault} from '../faults/parts/define.js'
import {expectedText, flagName, type OptionSpec} from '../plan/options.js'

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

export function faultDoc(f: AnyFault): FaultDoc {
  return {
    id: f.id,
    summary: f.summary,
    description: f.description,
    target: f.target ? {required: f.target.required, description: f.target.description} : null,
    options: Object.entries(f.options).map(([key, spec]) => ({
      key,
      flag: `--${flagName(key)}`,
      type: typeOf(spec),
      ...(spec.default !== undefined ? {default: spec.default} : {}),
      required: spec.required === true,
      description: spec.description,
      expected: expectedText(spec),
    })),
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
  if (d.options.length) {
    lines.push('Options (flag / game-day key under with:):')
    for (const o of d.options)
      lines.push(
        `  ${o.flag} / ${o.key}  ${o.type}${o.required ? ', required' : ''}${o.default !== undefined ? `, default ${String(o.default)}` : ''}`,
        `      ${o.description} Expected: ${o.expected}.`,
      )
    lines.push('')
  }
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
