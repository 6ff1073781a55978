/**
 * What the self-contained HTML reports (audit, chaos) share: escaping, a
 * small Markdown subset for remediation texts, and the base style. Pure.
 */
import {visibleText} from '../core/sanitize.js'

/** Escapes text for HTML element content and attribute values; control characters become visible. */
export function esc(s: string): string {
  return visibleText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Text cut at `max` characters, saying how much was left out. */
export function capped(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}\n… (${s.length - max} more characters not shown)` : s
}

/** Inline Markdown (`code`, **bold**) of escaped text. */
function inline(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
}

/**
 * The Markdown of check remediations and rationales (headings, paragraphs,
 * lists, code spans and fenced blocks) as HTML. Everything is escaped first:
 * no HTML in the input survives.
 */
export function markdownToHtml(md: string, headingLevel = 4): string {
  const out: string[] = []
  let para: string[] = []
  let list: string[] = []
  let fence: string[] | undefined
  const flushPara = (): void => {
    if (para.length) out.push(`<p>${inline(esc(para.join(' ')))}</p>`)
    para = []
  }
  const flushList = (): void => {
    if (list.length) out.push(`<ul>${list.map((l) => `<li>${inline(esc(l))}</li>`).join('')}</ul>`)
    list = []
  }
  for (const line of md.split('\n')) {
    if (fence) {
      if (/^\s*```/.test(line)) {
        out.push(`<pre>${esc(fence.join('\n'))}</pre>`)
        fence = undefined
      } else fence.push(line)
      continue
    }
    if (/^\s*```/.test(line)) {
      flushPara()
      flushList()
      fence = []
      continue
    }
    const h = /^#{1,6}\s+(.*)$/.exec(line)
    const li = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line)
    if (h) {
      flushPara()
      flushList()
      out.push(`<h${headingLevel}>${inline(esc(h[1] ?? ''))}</h${headingLevel}>`)
    } else if (li) {
      flushPara()
      list.push(li[1] ?? '')
    } else if (line.trim() === '') {
      flushPara()
      flushList()
    } else if (list.length && /^\s+/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`
    } else {
      flushList()
      para.push(line.trim())
    }
  }
  if (fence) out.push(`<pre>${esc(fence.join('\n'))}</pre>`)
  flushPara()
  flushList()
  return out.join('\n')
}

export const BASE_CSS = `*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;margin:24px auto;max-width:1100px;padding:0 16px;background:#f6f8fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:22px 0 8px}h3{font-size:15px;margin:14px 0 6px}h4{font-size:13px;margin:10px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
section.card,header.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 18px;margin:14px 0}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}th{color:#57606a;font-weight:600}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace}code{background:#eff1f3;padding:0 3px;border-radius:3px;word-break:break-word}
pre{background:#f6f8fa;border:1px solid #eaeef2;border-radius:6px;padding:8px;white-space:pre-wrap;word-break:break-all;max-height:360px;overflow:auto;margin:4px 0}
.st{display:inline-block;min-width:54px;text-align:center;padding:1px 6px;border-radius:4px;font-size:12px;font-weight:700;color:#fff}
.st-pass{background:#1a7f37}.st-fail{background:#cf222e}.st-error,.st-aborted{background:#8250df}.st-warn{background:#9a6700}.st-skip{background:#6e7781}.st-waived{background:#0969da}
.meta{color:#57606a;font-size:12px;margin:2px 0 0}details{margin:4px 0}summary{cursor:pointer;color:#0969da;font-size:12px}a{color:#0969da;text-decoration:none}
small{color:#57606a;font-weight:400}.card>h2:first-child{margin-top:0}`
