/** The reporter registry: `--format NAME` → a pure render function of a run. */
import type {AuditRun} from '../core/results.js'
import {sanitizeDeep} from '../core/sanitize.js'
import {renderAuditConsole} from './audit-console.js'
import {renderAuditHtml, type Explanation} from './audit-html.js'
import {renderAuditMarkdown} from './audit-markdown.js'
import type {Grouping} from './common.js'
import {renderAuditJUnit} from './junit.js'
import {renderPrometheus, type PromAudit} from './prometheus.js'

export const AUDIT_FORMATS = ['console', 'json', 'junit', 'markdown', 'html', 'prometheus'] as const
export type AuditFormat = (typeof AUDIT_FORMATS)[number]

export interface RenderOptions {
  color: boolean
  itemTitles?: Record<string, string>
  /** Console: the terminal width to wrap to. */
  width?: number
  /** HTML: `checks explain` text of the checks, which results link to. */
  explanations?: Record<string, Explanation>
  /** Grouping of the results (by area unless given). */
  grouping?: Grouping
  /** Prometheus: last-success times from the history (without, only this run is known). */
  prometheus?: Omit<PromAudit, 'run'>
}

/**
 * Renders a run in one format. Every string of the run and of the options
 * crosses the sanitising boundary (src/core/sanitize.ts) first, whatever its
 * origin (a node's output, a saved report, a checklist); JSON keeps the run as
 * recorded (JSON escapes control characters itself).
 */
export function renderAudit(format: AuditFormat, raw: AuditRun, rawOpts: RenderOptions): string {
  if (format === 'json') return JSON.stringify(raw, null, 2) + '\n'
  const run = sanitizeDeep(raw)
  const opts = {
    ...rawOpts,
    ...sanitizeDeep({itemTitles: rawOpts.itemTitles, explanations: rawOpts.explanations}),
  }
  switch (format) {
    case 'console':
      return renderAuditConsole(run, {
        color: opts.color,
        itemTitles: opts.itemTitles,
        ...(opts.width ? {width: opts.width} : {}),
        ...(opts.grouping ? {grouping: opts.grouping} : {}),
      })
    case 'junit':
      return renderAuditJUnit(run, opts.itemTitles ?? {})
    case 'markdown':
      return renderAuditMarkdown(run, opts.itemTitles ?? {}, opts.grouping ? {grouping: opts.grouping} : {})
    case 'html':
      return renderAuditHtml(run, {
        ...(opts.explanations ? {explanations: opts.explanations} : {}),
        ...(opts.grouping ? {grouping: opts.grouping} : {}),
      })
    case 'prometheus':
      return renderPrometheus({audits: [{run, ...opts.prometheus}]})
  }
}

export function formatForFile(path: string): AuditFormat | undefined {
  if (/\.json$/i.test(path)) return 'json'
  if (/\.xml$/i.test(path)) return 'junit'
  if (/\.(md|markdown)$/i.test(path)) return 'markdown'
  if (/\.html?$/i.test(path)) return 'html'
  if (/\.(txt|log)$/i.test(path)) return 'console'
  if (/\.prom$/i.test(path)) return 'prometheus'
  return undefined
}
