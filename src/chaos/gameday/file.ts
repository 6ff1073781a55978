/**
 * Game-day files: loaded, validated against schemas/gameday.schema.json and
 * checked for what a schema cannot say (expectation grammar, unique step
 * names, one partition mode, fault or experiment, …). Every problem is reported as
 * `FILE:LINE:COL: PATH: message`, like the inventory loader, all at once.
 */
import {dirname, isAbsolute, resolve} from 'node:path'

import type {ErrorObject, ValidateFunction} from 'ajv'

import {durationTooLong, parseDurationMs} from '../../core/duration.js'
import {InputError} from '../../core/errors.js'
import {readInputText} from '../../cli/files.js'
import {formatPath, translateSchemaErrors} from '../../inventory/messages.js'
import {parseSource, type ParsedSource, type PathSegment, type Problem} from '../../inventory/source.js'
import {faultById} from '../faults/index.js'
import type {AnyFault} from '../faults/parts/define.js'
import {isWriteExpectation, parseExpectation} from '../measure/expectations.js'
import {DATA_EXPERIMENTS, DATA_OPTIONS, isDataExperiment} from '../run/data-plan.js'
import type {DataExperiment, DataOptionValues} from '../run/data-plan.js'
import {
  asKey,
  optionProblems,
  optionValues,
  parseOption,
  type OptionRule,
  type Options,
} from '../plan/options.js'
import type {FaultId} from '../plan/types.js'
import {parseAbortCondition} from '../safety/abort.js'
import {WORKLOADS} from '../workloads/index.js'
import {FAULT_ONLY_STEP_KEYS} from './schema.js'
import {validate as generated} from '../../generated/gameday.validate.js'

export type ProbeSpec =
  | {kind: 'http'; url: string; expectStatus?: number}
  | {kind: 'tcp'; host: string; port: number}
  | {kind: 'command'; command: string}
  | {kind: 'cluster'}

export interface FaultStep {
  kind?: 'fault'
  name: string
  description?: string
  fault: FaultId
  target?: string
  /** The fault's option values (durations in ms, percentages 0-100), defaults filled in. */
  with: Readonly<Record<string, unknown>>
  durationMs: number
  baselineMs?: number
  settleMs?: number
  expect?: string[]
  allowQuorumLoss: boolean
  /** Abort conditions while the fault is in place (safety/abort.ts), as written. */
  abortWhen?: string[]
}

/** A data-tier experiment as a step (`experiment:`, the options of `hacheck chaos data` in `with:`). */
export interface ExperimentStep {
  kind: 'experiment'
  name: string
  description?: string
  experiment: DataExperiment
  /** The experiment's option values (run/data-plan.ts DATA_OPTIONS), defaults filled in. */
  with: DataOptionValues
  durationMs: number
  baselineMs?: number
  settleMs?: number
}

export type GameDayStep = FaultStep | ExperimentStep

/** A game day's `workload:`: the keys every workload shares, parsed, and the mapping itself (workloads/select.ts). */
export interface GameDayWorkload {
  raw: Readonly<Record<string, unknown>>
  rate?: number
  timeoutMs?: number
  insecure?: boolean
  writeTimeoutMs?: number
}

export interface Rollback {
  node: string
  run: string
}

export interface GameDay {
  file: string
  name: string
  description?: string
  /** Absolute path of the inventory the file names (relative to the file). */
  inventory?: string
  workload?: GameDayWorkload
  steadyState: ProbeSpec[]
  steps: GameDayStep[]
  rollbacks: Rollback[]
  /** Where a value of the file is (for problems found later, against the inventory: FILE:LINE:COL). */
  locate?: (path: readonly PathSegment[]) => {line: number; col: number}
}

export class GameDayError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(
      problems
        .map(
          (p) =>
            `${p.line === undefined ? file : `${file}:${p.line}:${p.col ?? 1}`}: ${p.path ? `${p.path}: ` : ''}${p.message}`,
        )
        .join('\n'),
      {
        code: 'invalid-gameday',
        actions: ['The game-day format is described in docs/chaos.md (schema: schemas/gameday.schema.json).'],
      },
    )
    this.name = 'GameDayError'
  }
}

// Generated from schemas/gameday.schema.json at build time (scripts/schema-validators.ts).
const validator = generated as unknown as ValidateFunction
function validate(data: unknown): ErrorObject[] {
  if (validator(data)) return []
  // if/then and oneOf wrappers only repeat what the inner errors say.
  return (validator.errors ?? []).filter(
    (e) =>
      e.keyword !== 'if' &&
      e.keyword !== 'oneOf' &&
      !(e.keyword === 'required' && e.schemaPath.includes('/oneOf/')),
  )
}

type Raw = Record<string, unknown>
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

function semantic(source: ParsedSource): Problem[] {
  const problems: Problem[] = []
  const at = (path: PathSegment[], message: string): void => {
    problems.push({...source.locate(path), path: formatPath(path), message})
  }
  const data = source.data
  if (!isRaw(data)) return problems
  limits(data, at)
  if (!Array.isArray(data.steps)) return problems
  const names = new Map<string, number>()
  const wl = isRaw(data.workload) ? data.workload : {}
  const writes = WORKLOADS.some(
    (w) => w.writes && wl[w.gameDay.key] !== undefined && wl[w.gameDay.key] !== false,
  )
  data.steps.forEach((s: unknown, i: number) => {
    if (!isRaw(s)) return
    if (typeof s.name === 'string') {
      const first = names.get(s.name)
      if (first !== undefined)
        at(
          ['steps', i, 'name'],
          `expected a step name no other step has, found ${JSON.stringify(s.name)} again (steps[${first}])`,
        )
      else names.set(s.name, i)
    }
    // An experiment step takes neither (said once, below).
    const faultStep = s.experiment === undefined
    if (faultStep && Array.isArray(s.expect)) {
      s.expect.forEach((e: unknown, j: number) => {
        if (typeof e !== 'string') return
        try {
          const parsed = parseExpectation(e)
          if (isWriteExpectation(parsed) && !writes)
            at(
              ['steps', i, 'expect', j],
              `${parsed.text}: needs a write workload: add workload: {pg-write: true} (or a postgres:// URL) to the game day`,
            )
        } catch (err) {
          at(['steps', i, 'expect', j], err instanceof Error ? err.message : String(err))
        }
      })
    }
    if (faultStep && Array.isArray(s.abortWhen))
      s.abortWhen.forEach((c: unknown, j: number) => {
        if (typeof c !== 'string') return
        try {
          parseAbortCondition(c)
        } catch (err) {
          at(['steps', i, 'abortWhen', j], err instanceof Error ? err.message : String(err))
        }
      })
    const stepAt = (path: PathSegment[], message: string): void => at(['steps', i, ...path], message)
    if (s.fault !== undefined && s.experiment !== undefined)
      stepAt(['experiment'], 'expected fault or experiment, not both')
    else if (s.fault === undefined && s.experiment === undefined)
      stepAt(
        [],
        `missing key "fault" or "experiment" (a fault such as link-pull, or an experiment such as ${DATA_EXPERIMENTS[0]})`,
      )
    if (s.experiment !== undefined && s.fault === undefined) {
      for (const k of FAULT_ONLY_STEP_KEYS)
        if (s[k] !== undefined)
          stepAt(
            [k],
            k === 'target'
              ? 'an experiment step has no target: its node is with.node'
              : `an experiment step takes no ${k} (its verdict is the write accounting: lost writes, split brain)`,
          )
      if (isDataExperiment(s.experiment)) optionsProblems(DATA_OPTIONS, [], s, stepAt)
    }
    const fault = typeof s.fault === 'string' ? faultById(s.fault) : undefined
    if (fault) stepProblems(fault, s, stepAt)
  })
  return problems
}

/** A HOST:PORT's port, when it is out of 1-65535 (the schema allows five digits). */
function badPort(hostPort: unknown): string | undefined {
  if (typeof hostPort !== 'string') return undefined
  const port = Number(/:(\d+)$/.exec(hostPort)?.[1])
  return Number.isInteger(port) && (port < 1 || port > 65535)
    ? `expected a port from 1 to 65535, found ${port}`
    : undefined
}

/** Durations too long for a timer and ports out of range: values the schema's patterns let through. */
function limits(data: Raw, at: (path: PathSegment[], message: string) => void): void {
  const duration = (path: PathSegment[], v: unknown): void => {
    if (typeof v !== 'string' && typeof v !== 'number') return
    const ms = parseDurationMs(v)
    const why = ms === undefined ? undefined : durationTooLong(ms)
    if (why) at(path, `expected ${why}, found ${JSON.stringify(v)}`)
  }
  const wl = isRaw(data.workload) ? data.workload : undefined
  if (wl) {
    duration(['workload', 'timeout'], wl.timeout)
    duration(['workload', 'writeTimeout'], wl.writeTimeout)
    const port = badPort(wl.tcp)
    if (port) at(['workload', 'tcp'], port)
  }
  if (Array.isArray(data.steadyState))
    data.steadyState.forEach((p: unknown, j: number) => {
      const port = isRaw(p) ? badPort(p.tcp) : undefined
      if (port) at(['steadyState', j, 'tcp'], port)
    })
  if (Array.isArray(data.steps))
    data.steps.forEach((s: unknown, i: number) => {
      if (!isRaw(s)) return
      for (const k of ['duration', 'baseline', 'settle']) duration(['steps', i, k], s[k])
    })
}

/** What the schema cannot say about a step of this fault: its target, and the rules of its options. */
function stepProblems(fault: AnyFault, s: Raw, at: (path: PathSegment[], message: string) => void): void {
  if (fault.target && fault.target.required && typeof s.target !== 'string')
    at([], `missing key "target" (${fault.target.description.replace(/\.$/, '')})`)
  const given = optionsProblems(fault.options, fault.rules ?? [], s, at)
  if (fault.target && typeof s.target === 'string') {
    const missing = (fault.target.dependsOn ?? []).filter((k) => !given.has(k))
    if (missing.length) at(['target'], `target needs with.${missing.join(', with.')}`)
  }
}

/** The step's `with:` against declared options: each value as it is read, and the options' rules. */
function optionsProblems(
  options: Options,
  rules: readonly OptionRule[],
  s: Raw,
  at: (path: PathSegment[], message: string) => void,
): Set<string> {
  const w = isRaw(s.with) ? s.with : undefined
  const given = new Set(Object.keys(w ?? {}).filter((k) => w?.[k] !== undefined && w[k] !== false))
  // Each value as the fault reads it (a duration too long for a timer): at its own line, not later unplaced.
  for (const k of given) {
    const spec = options[k]
    if (!spec || spec.type !== 'duration') continue
    try {
      parseOption(spec, w?.[k], `with.${k}`)
    } catch (err) {
      at(['with', k], (err instanceof Error ? err.message : String(err)).replace(/^with\.[^:]*: /, ''))
    }
  }
  for (const p of optionProblems(options, rules, given, asKey)) {
    // With a `with:` mapping, the schema already says a required key is missing.
    if (p.kind === 'required' && w) continue
    if (p.kind === 'required') at([], `missing key "with.${p.keys[0] ?? ''}" (${p.expected ?? ''})`)
    else at(w ? ['with'] : [], p.message)
  }
  return given
}

function dur(v: unknown): number | undefined {
  return v === undefined ? undefined : parseDurationMs(v as string | number)
}

function probeOf(p: Raw): ProbeSpec {
  if (typeof p.http === 'string')
    return {
      kind: 'http',
      url: p.http,
      ...(typeof p.expectStatus === 'number' ? {expectStatus: p.expectStatus} : {}),
    }
  if (typeof p.tcp === 'string') {
    const m = /^\[?(.+?)\]?:(\d+)$/.exec(p.tcp)
    return {kind: 'tcp', host: m?.[1] ?? p.tcp, port: Number(m?.[2] ?? 0)}
  }
  if (typeof p.command === 'string') return {kind: 'command', command: p.command}
  return {kind: 'cluster'}
}

export function parseGameDay(text: string, file: string): GameDay {
  if (text.trim() === '')
    throw new GameDayError(file, [
      {
        line: 1,
        col: 1,
        path: '',
        message: 'expected a game day (a mapping with name and steps), found an empty file',
      },
    ])
  const parsed = parseSource(text, file)
  if (!parsed.ok) throw new GameDayError(file, parsed.problems)
  const {source} = parsed
  // A value the schema refuses and its reader refuses too is said once.
  const seen = new Set<string>()
  const problems = [...translateSchemaErrors(validate(source.data), source), ...semantic(source)].filter(
    (p) => {
      const key = `${p.line}:${p.col}:${p.path}:${p.message}`
      return !seen.has(key) && seen.add(key) !== undefined
    },
  )
  if (problems.length) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0))
    throw new GameDayError(file, problems)
  }
  const d = source.data as Raw
  const abs = resolve(file)
  const w = isRaw(d.workload) ? d.workload : undefined
  return {
    file: abs,
    name: String(d.name),
    ...(typeof d.description === 'string' ? {description: d.description} : {}),
    ...(typeof d.inventory === 'string'
      ? {inventory: isAbsolute(d.inventory) ? d.inventory : resolve(dirname(abs), d.inventory)}
      : {}),
    ...(w
      ? {
          workload: {
            raw: w,
            ...(typeof w.rate === 'number' ? {rate: w.rate} : {}),
            ...(w.timeout !== undefined ? {timeoutMs: dur(w.timeout)} : {}),
            ...(typeof w.insecure === 'boolean' ? {insecure: w.insecure} : {}),
            ...(w.writeTimeout !== undefined ? {writeTimeoutMs: dur(w.writeTimeout)} : {}),
          },
        }
      : {}),
    steadyState: Array.isArray(d.steadyState) ? d.steadyState.filter(isRaw).map(probeOf) : [],
    steps: (d.steps as Raw[]).map((s): GameDayStep => {
      if (isDataExperiment(s.experiment))
        return {
          kind: 'experiment',
          name: String(s.name),
          ...(typeof s.description === 'string' ? {description: s.description} : {}),
          experiment: s.experiment,
          with: optionValues(DATA_OPTIONS, [], isRaw(s.with) ? s.with : {}, asKey),
          durationMs: dur(s.duration) ?? 30_000,
          ...(s.baseline !== undefined ? {baselineMs: dur(s.baseline)} : {}),
          ...(s.settle !== undefined ? {settleMs: dur(s.settle)} : {}),
        }
      const fault = faultById(String(s.fault)) as AnyFault
      const withOut = optionValues(fault.options, fault.rules ?? [], isRaw(s.with) ? s.with : {}, asKey)
      return {
        name: String(s.name),
        ...(typeof s.description === 'string' ? {description: s.description} : {}),
        fault: s.fault as FaultId,
        ...(typeof s.target === 'string' ? {target: s.target} : {}),
        with: withOut,
        durationMs: dur(s.duration) ?? 30_000,
        ...(s.baseline !== undefined ? {baselineMs: dur(s.baseline)} : {}),
        ...(s.settle !== undefined ? {settleMs: dur(s.settle)} : {}),
        ...(Array.isArray(s.expect) ? {expect: s.expect.map(String)} : {}),
        allowQuorumLoss: s.allowQuorumLoss === true,
        ...(Array.isArray(s.abortWhen) ? {abortWhen: s.abortWhen.map(String)} : {}),
      }
    }),
    rollbacks: Array.isArray(d.rollbacks)
      ? d.rollbacks.filter(isRaw).map((r) => ({node: String(r.node), run: String(r.run)}))
      : [],
    locate: (path) => source.locate(path),
  }
}

export async function loadGameDay(file: string): Promise<GameDay> {
  let text: string
  try {
    text = await readInputText(file)
  } catch (err) {
    const code = (err as {code?: string}).code
    throw new GameDayError(file, [
      {
        path: '',
        message: `cannot read the game day: ${code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err)}`,
      },
    ])
  }
  return parseGameDay(text, file)
}
