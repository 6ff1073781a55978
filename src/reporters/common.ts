/** Helpers shared by the reporters. Everything here is pure. */
import type {CheckResult, Evidence, Status} from '../core/results.js'

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

/** Numeric refs first in numeric order ("2" < "10"), then the rest alphabetically. */
export function compareRefs(a: string, b: string): number {
  const na = Number(a)
  const nb = Number(b)
  const aNum = Number.isFinite(na)
  const bNum = Number.isFinite(nb)
  if (aNum && bNum) return na - nb
  if (aNum) return -1
  if (bNum) return 1
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
}

export function verdict(summary: Record<Status, number>): string {
  if (summary.error > 0) return 'INCOMPLETE'
  if (summary.fail > 0) return 'FAILED'
  return 'PASSED'
}
