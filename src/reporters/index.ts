/** The reporter registry: `--format NAME` → a pure render function of a run. */
import type {AuditRun} from '../core/results.js'
import {renderAuditConsole} from './audit-console.js'
import {renderAuditMarkdown} from './audit-markdown.js'
import {renderAuditJUnit} from './junit.js'

export const AUDIT_FORMATS = ['console', 'json', 'junit', 'markdown'] as const
export type AuditFormat = (typeof AUDIT_FORMATS)[number]

export interface RenderOptions {
  color: boolean
  itemTitles: Record<string, string>
}

export function renderAudit(format: AuditFormat, run: AuditRun, opts: RenderOptions): string {
  switch (format) {
    case 'console':
      return renderAuditConsole(run, {color: opts.color, itemTitles: opts.itemTitles})
    case 'json':
      return JSON.stringify(run, null, 2) + '\n'
    case 'junit':
      return renderAuditJUnit(run, opts.itemTitles)
    case 'markdown':
      return renderAuditMarkdown(run, opts.itemTitles)
  }
}

export function formatForFile(path: string): AuditFormat | undefined {
  if (/\.json$/i.test(path)) return 'json'
  if (/\.xml$/i.test(path)) return 'junit'
  if (/\.(md|markdown)$/i.test(path)) return 'markdown'
  if (/\.(txt|log)$/i.test(path)) return 'console'
  return undefined
}
