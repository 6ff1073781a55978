/** Helpers shared by the reporters. Everything here is pure. */
import type {AuditRun, CheckResult, Evidence, Status, Summary} from '../core/results.js'
import {visibleText} from '../core/sanitize.js'

export interface ResultGroup {
  ref: string
  title: string
  results: CheckResult[]
}

/** Item titles of the deployment checklist, for grouping (extras carry their own refs). */
export function groupByRef(
  results: readonly CheckResult[],
  titles: Record<string, string> = {},
): ResultGroup[] {
  const groups = new Map<string, ResultGroup>()
  for (const r of results) {
    const g = groups.get(r.checklistRef) ?? {
      ref: r.checklistRef,
      title: titles[r.checklistRef] ?? r.area,
      results: [],
    }
    g.results.push(r)
    groups.set(r.checklistRef, g)
  }
  return [...groups.values()].sort((a, b) => compareRefs(a.ref, b.ref))
}

/**
 * Refs of lowercase letters, digits, dots and hyphens (every bundled checklist's: "x.corosync") are in
 * the same order by code unit as by localeCompare (ICU's root collation): compared so, they spare every
 * run the ~10 ms the first localeCompare of a process costs (setting up ICU's collator).
 */
const PLAIN_REF = /^[a-z0-9.-]*$/

/** Numeric refs first in numeric order ("2" < "10"), then the rest alphabetically. */
export function compareRefs(a: string, b: string): number {
  const na = Number(a)
  const nb = Number(b)
  const aNum = Number.isFinite(na)
  const bNum = Number.isFinite(nb)
  if (aNum && bNum) return na - nb
  if (aNum) return -1
  if (bNum) return 1
  if (PLAIN_REF.test(a) && PLAIN_REF.test(b)) return a < b ? -1 : a > b ? 1 : 0
  return a.localeCompare(b)
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '—'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

export function evidenceLine(e: Evidence): string {
  const parts: string[] = []
  if (e.node) parts.push(e.node)
  if (e.source) parts.push(e.source)
  parts.push(`observed ${formatValue(e.observed)}`)
  if (e.expected !== undefined) parts.push(`expected ${formatValue(e.expected)}`)
  if (e.note) parts.push(e.note)
  return parts.join(' · ')
}

/** The "## Remediation" section of a remediation text (the whole text when it has no sections). */
export function remediationSection(md: string): string {
  const m = /##\s*Remediation\s*\n([\s\S]*?)(?=\n##\s|$)/.exec(md)
  return (m?.[1] ?? md).trim()
}

export const STATUS_LABEL: Record<Status, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  skip: 'SKIP',
  error: 'ERROR',
  waived: 'WAIVED',
}

/** The order findings are shown in: what fails the run first. */
export const FINDING_ORDER: readonly Status[] = ['fail', 'error', 'warn', 'waived']

/**
 * How results are grouped in a report: by checklist area today, by tier
 * (lb, app, session store, database, cluster) once results carry one.
 */
export interface Grouping {
  /** Shown in headings: "area", "tier". */
  name: string
  key(r: CheckResult): string
  title(key: string, results: readonly CheckResult[]): string
}

export const BY_AREA: Grouping = {
  name: 'area',
  key: (r) => r.area,
  title: (key) => key,
}

export interface KeyedGroup {
  key: string
  title: string
  results: CheckResult[]
}

/** Groups in the order of their lowest checklist item (fencing and quorum before the extras). */
export function groupResults(results: readonly CheckResult[], grouping: Grouping = BY_AREA): KeyedGroup[] {
  const groups = new Map<string, CheckResult[]>()
  for (const r of results) {
    const k = grouping.key(r)
    const list = groups.get(k) ?? []
    list.push(r)
    groups.set(k, list)
  }
  const lowest = (rs: readonly CheckResult[]): string =>
    rs.map((r) => r.checklistRef).sort(compareRefs)[0] ?? ''
  return [...groups]
    .map(([key, rs]) => ({key, title: grouping.title(key, rs), results: rs}))
    .sort((a, b) => compareRefs(lowest(a.results), lowest(b.results)) || a.key.localeCompare(b.key))
}

/** Findings (fail, error, warn, waived), in FINDING_ORDER, each status in result order. */
export function findings(results: readonly CheckResult[]): CheckResult[] {
  return FINDING_ORDER.flatMap((s) => results.filter((r) => r.status === s))
}

/** A summary read from a saved run: counts missing in older runs are 0. */
export function counts(s: Partial<Summary>): Summary {
  return {
    pass: s.pass ?? 0,
    fail: s.fail ?? 0,
    warn: s.warn ?? 0,
    skip: s.skip ?? 0,
    error: s.error ?? 0,
    waived: s.waived ?? 0,
    total: s.total ?? 0,
  }
}

/** "3 pass, 1 fail, 0 warn, 2 skip, 0 error" (+ ", 1 waived" when a waiver applied). */
export function countsLine(s: Partial<Summary>): string {
  const c = counts(s)
  return (
    `${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error` +
    (c.waived ? `, ${c.waived} waived` : '')
  )
}

/** `id` or `id[node]`: how a result is named in summaries. */
export function resultName(r: CheckResult): string {
  return r.node ? `${r.id}[${r.node}]` : r.id
}

/** Result names of one status, with repeated ids folded: `a[n1,n2]`. */
export function namesOf(results: readonly CheckResult[], status: Status): string[] {
  const byId = new Map<string, string[]>()
  for (const r of results.filter((x) => x.status === status)) {
    const nodes = byId.get(r.id) ?? []
    if (r.node) nodes.push(r.node)
    byId.set(r.id, nodes)
  }
  return [...byId].map(([id, nodes]) => (nodes.length ? `${id}[${nodes.join(',')}]` : id))
}

/** The run's first line of remediation, in one line (for the console and summaries). */
export function oneLineRemediation(md: string | undefined, max = 240): string | undefined {
  if (!md) return undefined
  const section = remediationSection(md)
  const para = (section.split(/\n\s*\n/)[0] ?? section)
    .split('\n')
    .map((l) => l.replace(/^\s*(?:[-*]|\d+\.)\s+/, '').trim())
    .filter(Boolean)
    .join(' ')
  if (para.length <= max) return para
  const cut = para.slice(0, max)
  const dot = cut.lastIndexOf('. ')
  let short = dot > max / 2 ? cut.slice(0, dot + 1) : cut.replace(/\s+\S*$/, '')
  // Never leave a code span open.
  if ((short.match(/`/g) ?? []).length % 2 === 1) short = short.slice(0, short.lastIndexOf('`')).trimEnd()
  return `${short} …`
}

/** "waived until 2027-03-01 by alice: reason" / "waiver expired on …". */
export function waiverLine(r: CheckResult): string | undefined {
  const w = r.waiver
  if (!w) return undefined
  return w.state === 'active'
    ? `waived (${w.status}) until ${w.expires} by ${w.owner}: ${w.reason}`
    : `waiver EXPIRED on ${w.expires} (owner ${w.owner}): ${w.reason}; the ${w.status} counts again`
}

export interface ShownView {
  headline: string
  degraded: boolean
  notices: {severity: 'critical' | 'warning' | 'info'; message: string; nodes: string[]}[]
}

/** The cluster view a run carries (src/view), as the reports show it first; undefined in older runs. */
export function viewOf(run: AuditRun): ShownView | undefined {
  const v = run.view
  if (!v || typeof v.headline !== 'string') return undefined
  const notices = (Array.isArray(v.notices) ? v.notices : []).map((n) => ({
    severity: n.severity,
    message: n.message,
    nodes: Array.isArray(n.nodes) ? n.nodes : [],
  }))
  return {headline: v.headline, degraded: v.degraded ?? v.headline.startsWith('DEGRADED'), notices}
}

/** The nodes named by the view's critical notices ("n3, n1"), for the verdict line. */
export function criticalNodes(view: ShownView): string {
  return [...new Set(view.notices.filter((n) => n.severity === 'critical').flatMap((n) => n.nodes))].join(
    ', ',
  )
}

/**
 * Text that came from a node, made safe to print on a terminal or in a
 * Markdown line: control characters (ANSI escapes, bells, NULs) shown as
 * visible symbols, the text cut at `max` characters with a count of the rest.
 */
export function safeText(s: string, max = 500): string {
  const flat = visibleText(s).replace(/\t/g, ' ').replace(/\n/g, ' ⏎ ')
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length - max} more characters)` : flat
}

/** The one-line command an evidence entry names (older runs carried whole scripts). */
export function shownCommand(e: Evidence, max = 200): string | undefined {
  if (!e.command) return undefined
  const first = e.command.split('\n')[0] ?? ''
  return first.length > max ? `${first.slice(0, max)}…` : first
}

export function verdict(summary: Record<Status, number>): string {
  if (summary.error > 0) return 'INCOMPLETE'
  if (summary.fail > 0) return 'FAILED'
  return 'PASSED'
}

/** Inline text: no HTML, no line breaks, control characters visible. */
export function mdText(s: string, max = 2000): string {
  return safeText(s, max)
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/</g, '&lt;')
}

/** A code span that survives backticks in its content. */
export function mdCode(s: string): string {
  const text = safeText(s, 300)
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}
