/**
 * Composes the gatherers a node needs into ONE bash script and splits its
 * output back into one GathererOutput per gatherer.
 *
 * Why one script: a connection handshake costs tens of milliseconds and an
 * exec round trip a few more; 15 gatherers as 15 execs cost ~1.5x the wall
 * and CPU of one script (docs/performance). The framing keeps each gatherer's
 * stdout, stderr and exit code apart:
 *   - stdout of the script: `@@hk:<nonce>:begin:<id>@@`, the gatherer's stdout
 *     (byte-exact, including trailing newlines), `@@hk:<nonce>:end:<id>:<rc>@@`
 *   - stderr of the script: the same begin/end markers around its stderr.
 * Gatherers run one after another, so stderr lines fall between their own
 * markers. The nonce makes a collision with real output practically impossible.
 * Nothing is written on the node: no temp files, output goes to the channel.
 */
import {randomBytes} from 'node:crypto'

import {shellQuote} from '../core/shell.js'
import type {Gatherer, GathererOutput} from '../facts/gatherer.js'

export interface GatherScript {
  nonce: string
  script: string
  ids: string[]
}

/** Exit code the script gives a gatherer whose required tool is missing. */
export const NOT_INSTALLED_RC = 127
/** Exit code of coreutils `timeout` when the gatherer's own time limit fired. */
export const TIMEOUT_RC = 124

type ScriptGatherer = Pick<Gatherer<unknown>, 'id' | 'script' | 'requires'>

// The quoted call of each gatherer, made once per gatherer object rather than once per node.
const callLines = new WeakMap<ScriptGatherer, string>()
function callLine(g: ScriptGatherer): string {
  let line = callLines.get(g)
  if (line === undefined) {
    line = `__hk ${shellQuote(g.id)} ${shellQuote(g.requires?.[0] ?? '')} ${shellQuote(g.script)}`
    callLines.set(g, line)
  }
  return line
}

export function composeGatherScript(
  gatherers: readonly ScriptGatherer[],
  opts: {perGathererTimeoutS?: number; nonce?: string} = {},
): GatherScript {
  const nonce = opts.nonce ?? randomBytes(6).toString('hex')
  const t = opts.perGathererTimeoutS ?? 20
  const lines = [
    'export LC_ALL=C LANG=C',
    'export PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"',
    // Run a snippet with its own time limit; keep stdout byte-exact (the x guard keeps trailing newlines).
    `__hk() {`,
    `  local id=$1 req=$2 snippet=$3 out rc`,
    `  printf '@@hk:${nonce}:begin:%s@@\\n' "$id" >&2`,
    `  if [ -n "$req" ] && ! command -v "$req" >/dev/null 2>&1; then`,
    `    printf '%s: command not found\\n' "$req" >&2; out=x; rc=${NOT_INSTALLED_RC}`,
    `  else`,
    `    out=$(timeout -k 2 ${t} bash -c "$snippet" </dev/null; rc=$?; printf x; exit $rc); rc=$?`,
    `  fi`,
    `  printf '@@hk:${nonce}:end:%s:%d@@\\n' "$id" "$rc" >&2`,
    `  printf '@@hk:${nonce}:begin:%s@@\\n%s\\n@@hk:${nonce}:end:%s:%d@@\\n' "$id" "\${out%x}" "$id" "$rc"`,
    `}`,
  ]
  for (const g of gatherers) lines.push(callLine(g))
  lines.push('exit 0')
  return {nonce, script: lines.join('\n') + '\n', ids: gatherers.map((g) => g.id)}
}

function splitStream(
  text: string,
  nonce: string,
  withRc: boolean,
): Map<string, {body: string; rc: number | null}> {
  const out = new Map<string, {body: string; rc: number | null}>()
  const begin = `@@hk:${nonce}:begin:`
  let pos = 0
  for (;;) {
    const b = text.indexOf(begin, pos)
    if (b < 0) break
    const idEnd = text.indexOf('@@\n', b + begin.length)
    if (idEnd < 0) break
    const id = text.slice(b + begin.length, idEnd)
    const bodyStart = idEnd + 3
    const endMarker = `@@hk:${nonce}:end:${id}:`
    const e = text.indexOf(endMarker, bodyStart)
    if (e < 0) {
      // Cut short (connection lost, output cap): keep what arrived, exit unknown.
      out.set(id, {body: text.slice(bodyStart), rc: null})
      break
    }
    const rcEnd = text.indexOf('@@', e + endMarker.length)
    if (rcEnd < 0) {
      // The end marker itself was cut: the body may be whole, its exit code is unknown.
      out.set(id, {body: text.slice(bodyStart, e), rc: null})
      break
    }
    const rc = Number(text.slice(e + endMarker.length, rcEnd))
    // stdout frames carry one extra "\n" that the script adds after the body.
    let body = text.slice(bodyStart, e)
    if (withRc && body.endsWith('\n')) body = body.slice(0, -1)
    out.set(id, {body, rc: Number.isFinite(rc) ? rc : null})
    pos = rcEnd + 2
  }
  return out
}

/** Splits the script's output. Gatherers with no frame at all are absent from the map. */
export function splitGatherOutput(
  stdout: string,
  stderr: string,
  nonce: string,
): Map<string, GathererOutput> {
  const outs = splitStream(stdout, nonce, true)
  const errs = splitStream(stderr, nonce, false)
  const result = new Map<string, GathererOutput>()
  for (const [id, o] of outs) {
    const e = errs.get(id)
    result.set(id, {stdout: o.body, stderr: e?.body ?? '', exitCode: o.rc ?? e?.rc ?? null})
  }
  for (const [id, e] of errs) {
    if (!result.has(id)) result.set(id, {stdout: '', stderr: e.body, exitCode: e.rc})
  }
  return result
}
