/**
 * stonith-admin: the fence devices registered with the fencer on this node
 * (`stonith_admin --list-registered`) and the fencing history of every target
 * (`stonith_admin --history '*' --verbose --output-as=xml`), in one snippet of two
 * framed parts.
 *
 * list: one device id per line then "N fence device(s) found" (text; the XML
 * form of this command differs between versions, the text form does not).
 * history: Pacemaker ≥ 2.0.3 XML, <fence_event action target client origin
 * status="success|failed|pending" exit-reason delegate completed>. Where
 * --output-as is not supported (1.1) the history stays raw text and `history`
 * is undefined: "could not tell" is left to the check, never "no failures".
 */
import {fenceEventsOf, type FenceEvent} from './crm-mon.js'
import {defineGatherer, ParseError} from './gatherer.js'
import {partScript, requirePart, splitParts} from './parts.js'
import {lines} from './util.js'
import {parseXml} from './xml.js'

export interface StonithAdmin {
  /** Registered device ids, in the order printed. */
  devices: string[]
  /** The count stonith_admin printed ("2 fence devices found"). */
  reportedCount?: number
  /** Undefined when the history could not be read as XML. */
  history?: FenceEvent[]
  /** Failed fence actions (status failed), a subset of history. */
  failed?: FenceEvent[]
  historyRaw: string
  historyExitCode: number | null
}

/** Parses `stonith_admin --list-registered` text. */
export function parseStonithList(text: string): {devices: string[]; reportedCount?: number} {
  const devices: string[] = []
  let reportedCount: number | undefined
  for (const l of lines(text)) {
    const t = l.trim()
    if (t === '') continue
    const count = /^(\d+) fence devices? found$/.exec(t)
    if (count) {
      reportedCount = Number(count[1])
      continue
    }
    if (/^No fence devices? found$/i.test(t)) {
      reportedCount = 0
      continue
    }
    if (/\s/.test(t)) throw new ParseError(`not a device id: "${t}"`)
    devices.push(t)
  }
  return {devices, reportedCount}
}

/** Parses `stonith_admin --history '*' --output-as=xml`. */
export function parseStonithHistory(text: string): FenceEvent[] {
  const root = parseXml(text, 'stonith_admin --history')
  return fenceEventsOf(root)
}

export function parseStonithAdmin(stdout: string): StonithAdmin {
  const parts = splitParts(stdout)
  const list = requirePart(parts, 'list')
  if (list.exitCode !== 0) throw new ParseError(`stonith_admin --list-registered exited ${list.exitCode}`)
  const {devices, reportedCount} = parseStonithList(list.body)
  const hist = requirePart(parts, 'history')
  let history: FenceEvent[] | undefined
  if (hist.exitCode === 0 && hist.body.trimStart().startsWith('<')) history = parseStonithHistory(hist.body)
  return {
    devices,
    reportedCount,
    history,
    failed: history?.filter((e) => e.status === 'failed'),
    historyRaw: hist.body,
    historyExitCode: hist.exitCode,
  }
}

export const stonithAdmin = defineGatherer<StonithAdmin>({
  id: 'stonith-admin',
  description: 'Fence devices registered on this node and the fencing history (stonith_admin)',
  command: "stonith_admin --list-registered; stonith_admin --history '*' --output-as=xml",
  script: [
    partScript('list', 'stonith_admin --list-registered'),
    // --verbose: without it stonith_admin reduces the history, and was seen (Pacemaker 2.1.5, a node cut
    // off with its BMC unreachable) to list only an old success and none of the ten failed reboots since.
    partScript('history', "stonith_admin --history '*' --verbose --output-as=xml"),
  ].join('; '),
  requires: ['stonith_admin'],
  parse: (out) => parseStonithAdmin(out.stdout),
})
