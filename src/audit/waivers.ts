/**
 * Waivers: known, accepted deviations, applied AFTER evaluation so that the
 * check engine never sees them. A waiver names a check, optionally a cluster
 * and nodes, a reason, an owner and an expiry. While it is valid, a fail or
 * warn it covers becomes `waived` (with the reason); once it has expired, the
 * result keeps its own status (it counts again, so a fail fails the run) and
 * the expired waiver is itself a warning (`waiver.expired`). Errors are never
 * waived: "could not tell" is not a deviation anyone accepted. Why: docs/waivers.md.
 *
 * Parsing and applying are pure; loadWaiverFile is the only I/O.
 */
import {fileURLToPath} from 'node:url'

import type {ValidateFunction} from 'ajv'

import {errorMessage, InputError} from '../core/errors.js'
import {summarize, type AuditRun, type CheckResult, type Status, type WaiverUse} from '../core/results.js'
import {renderProblems} from '../inventory/load.js'
import {didYouMean, formatPath, translateSchemaErrors} from '../inventory/messages.js'
import {parseSource, type PathSegment, type Problem} from '../inventory/source.js'
import {validate as generated} from '../generated/waivers.validate.js'
import {readInputText} from '../cli/files.js'

export const WAIVERS_SCHEMA_PATH = fileURLToPath(
  new URL('../../schemas/waivers.schema.json', import.meta.url),
)

/** The id of the result an expired waiver adds. */
export const EXPIRED_ID = 'waiver.expired'

export interface Waiver {
  check: string
  cluster?: string
  nodes?: string[]
  reason: string
  owner: string
  /** As written. */
  expires: string
  /** Epoch ms from which the waiver no longer holds. */
  expiresAt: number
  /** FILE#INDEX, for the reports. */
  from: string
}

export interface WaiverFile {
  file: string
  waivers: Waiver[]
}

export class WaiverFileError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(renderProblems(file, problems), {
      code: 'invalid-waivers',
      actions: ['The waiver format is described in docs/waivers.md (schema: schemas/waivers.schema.json).'],
    })
    this.name = 'WaiverFileError'
  }
}

// Generated from schemas/waivers.schema.json at build time (scripts/schema-validators.ts):
// compiling the schema with ajv at run time cost ~0.1 s of the audit.
const validator = generated as unknown as ValidateFunction

/**
 * `YYYY-MM-DD` holds through the end of that day (UTC); a date-time holds until that instant.
 * undefined when the text is not a real date (2027-02-30).
 */
export function expiryInstant(text: string): number | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])]
    const t = Date.UTC(y, m - 1, day)
    const back = new Date(t)
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== day)
      return undefined
    return t + 86_400_000
  }
  const t = Date.parse(text)
  return Number.isFinite(t) ? t : undefined
}

/**
 * Parses and validates a waiver file's text (YAML or JSON). `knownChecks` are
 * the check ids of the catalogue: a waiver for an unknown id is a typo that
 * would never match, so it is refused. Throws WaiverFileError listing every problem.
 */
export function parseWaivers(text: string, file: string, knownChecks: readonly string[]): WaiverFile {
  if (text.trim() === '' || text.split(/\r?\n/).every((l) => /^\s*(#.*)?$/.test(l)))
    throw new WaiverFileError(file, [
      {line: 1, col: 1, path: '', message: 'expected a mapping with a waivers list, found an empty file'},
    ])
  const parsed = parseSource(text, file)
  if (!parsed.ok) throw new WaiverFileError(file, parsed.problems)
  const {source} = parsed
  const problems: Problem[] = validator(source.data)
    ? []
    : translateSchemaErrors(validator.errors ?? [], source)
  const at = (path: PathSegment[], message: string): void => {
    problems.push({...source.locate(path), path: formatPath(path), message})
  }
  const raw = (source.data as {waivers?: unknown}).waivers
  const waivers: Waiver[] = []
  if (Array.isArray(raw)) {
    raw.forEach((w: unknown, i: number) => {
      if (typeof w !== 'object' || w === null) return
      const x = w as Record<string, unknown>
      if (typeof x.check === 'string' && /^[a-z0-9-]+\.[a-z0-9.-]+$/.test(x.check)) {
        if (!knownChecks.includes(x.check)) {
          const hint = didYouMean(x.check, knownChecks)
          at(
            ['waivers', i, 'check'],
            `unknown check "${x.check}"${hint ? ` (did you mean "${hint}"?)` : ' (hacheck checks list shows every check)'}`,
          )
        }
      }
      let expiresAt: number | undefined
      if (typeof x.expires === 'string') {
        expiresAt = expiryInstant(x.expires)
        if (expiresAt === undefined && /^\d{4}-\d{2}-\d{2}/.test(x.expires))
          at(['waivers', i, 'expires'], `expected a real date, found ${JSON.stringify(x.expires)}`)
      }
      if (
        typeof x.check === 'string' &&
        typeof x.reason === 'string' &&
        typeof x.owner === 'string' &&
        typeof x.expires === 'string' &&
        expiresAt !== undefined
      ) {
        waivers.push({
          check: x.check,
          ...(typeof x.cluster === 'string' ? {cluster: x.cluster} : {}),
          ...(Array.isArray(x.nodes) ? {nodes: x.nodes.map(String)} : {}),
          reason: x.reason.trim(),
          owner: x.owner,
          expires: x.expires,
          expiresAt,
          from: `${file}#${i}`,
        })
      }
    })
  }
  if (problems.length) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0))
    throw new WaiverFileError(file, problems)
  }
  return {file, waivers}
}

export async function loadWaiverFile(file: string, knownChecks: readonly string[]): Promise<WaiverFile> {
  let text: string
  try {
    text = await readInputText(file)
  } catch (err) {
    const code = (err as {code?: string}).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : errorMessage(err)
    throw new WaiverFileError(file, [{path: '', message: `cannot read the waiver file: ${why}`}])
  }
  return parseWaivers(text, file, knownChecks)
}

function covers(w: Waiver, r: CheckResult, cluster: string): boolean {
  if (w.check !== r.id) return false
  if (w.cluster !== undefined && w.cluster !== cluster) return false
  if (w.nodes !== undefined) return r.node !== undefined && w.nodes.includes(r.node)
  return true
}

const WAIVABLE: ReadonlySet<Status> = new Set(['fail', 'warn'])

/** The run as the checks judged it: waivers (and their expiry warnings) taken off again. */
export function withoutWaivers(run: AuditRun): AuditRun {
  if (!run.waivers && !run.results.some((r) => r.waiver || r.id === EXPIRED_ID)) return run
  const results = run.results
    .filter((r) => r.id !== EXPIRED_ID)
    .map((r) => {
      if (!r.waiver) return r
      const {waiver, ...rest} = r
      return {...rest, status: waiver.status}
    })
  const {waivers: _dropped, ...rest} = run
  return {...rest, results, summary: summarize(results)}
}

function expiredResult(w: Waiver, matched: number, now: Date): CheckResult {
  const scope = [w.cluster ? `cluster ${w.cluster}` : '', w.nodes ? `nodes ${w.nodes.join(', ')}` : '']
    .filter(Boolean)
    .join(', ')
  return {
    id: EXPIRED_ID,
    checklistRef: 'x.waivers',
    title: 'Waivers are current',
    area: 'waivers',
    severity: 'warning',
    status: 'warn',
    message: `the waiver for ${w.check}${scope ? ` (${scope})` : ''} expired on ${w.expires}: ${matched ? `${matched} result(s) count again` : 'it matches no finding any more'}`,
    evidence: [
      {
        source: 'waivers',
        observed: {check: w.check, expires: w.expires, owner: w.owner, reason: w.reason},
        expected: `expires after ${now.toISOString()}`,
        note: w.from,
      },
    ],
    remediation: [
      '## Abstract',
      'An accepted deviation is accepted for a time only; after that it must be fixed or accepted again.',
      '## Remediation',
      `Fix the finding of \`${w.check}\` (\`hacheck checks explain ${w.check}\`), or, if it is still accepted, ask ${w.owner} to renew the waiver with a new \`expires\` date in ${w.from.replace(/#\d+$/, '')}.`,
    ].join('\n'),
    durationMs: 0,
  }
}

/**
 * Applies waivers to a run as of `now`. Idempotent: waivers already on the run
 * are taken off first, so a saved run can be re-rendered with another file or
 * on a later date. The first waiver (in file order) that covers a result wins.
 */
export function applyWaivers(run: AuditRun, file: WaiverFile, now: Date): AuditRun {
  const base = withoutWaivers(run)
  const cluster = base.cluster.name
  const t = now.getTime()
  const matched = new Map<Waiver, number>()
  const results = base.results.map((r): CheckResult => {
    if (!WAIVABLE.has(r.status)) return r
    const w = file.waivers.find((x) => covers(x, r, cluster))
    if (!w) return r
    matched.set(w, (matched.get(w) ?? 0) + 1)
    const active = t < w.expiresAt
    return {
      ...r,
      status: active ? 'waived' : r.status,
      waiver: {
        reason: w.reason,
        owner: w.owner,
        expires: w.expires,
        state: active ? 'active' : 'expired',
        status: r.status,
        from: w.from,
      },
    }
  })
  const relevant = file.waivers.filter((w) => w.cluster === undefined || w.cluster === cluster)
  for (const w of relevant) if (t >= w.expiresAt) results.push(expiredResult(w, matched.get(w) ?? 0, now))
  const entries: WaiverUse[] = relevant.map((w) => ({
    check: w.check,
    ...(w.cluster ? {cluster: w.cluster} : {}),
    ...(w.nodes ? {nodes: w.nodes} : {}),
    reason: w.reason,
    owner: w.owner,
    expires: w.expires,
    state: t < w.expiresAt ? 'active' : 'expired',
    matched: matched.get(w) ?? 0,
  }))
  return {...base, results, summary: summarize(results), waivers: {file: file.file, entries}}
}
