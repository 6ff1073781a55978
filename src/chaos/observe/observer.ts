/**
 * The observer: watches the cluster while a fault is in place, over the same
 * persistent SSH connections, and puts what it sees on the run's timeline.
 *
 * - crm_mon XML every ~200 ms from ONE surviving node (the first reachable one
 *   in preference order; it moves on when that node stops answering). Each
 *   state is diffed with the previous: node lost / unclean / rejoined, quorum
 *   lost / regained, fence requested / confirmed / failed (from the fence
 *   history), resources stopped / started (location changes; fence devices
 *   left out). An event's `t` is placed between the sample that did not show
 *   it and the one that did, on the node's clock; `earliest`/`latest` bound it.
 * - Corosync's membership from the same node, as a stream (corosync-quorumtool
 *   -m): node lost / rejoined, stamped when corosync reported the change.
 * - VIP holders every ~500 ms: `ip -j addr` on EVERY node at once (one
 *   "sample"); a node that does not answer within the sample's deadline is
 *   unknown in that sample, never a holder. Every sample is recorded as a
 *   `vip-holders` event, so split-brain (two holders in one sample) is visible.
 */
import type {CommandRunner, NodeSpec} from '../../core/types.js'
import {CRM_MON_WATCH_ARGV, parseCrmMon} from '../../facts/crm-mon.js'
import {parseQuorumtool} from '../../facts/corosync-quorumtool.js'
import {flatAddresses, parseIpAddr} from '../../facts/ip-addr.js'
import {pacemakerStateOf} from '../../view/pacemaker.js'
import type {ClusterView, PacemakerState, ViewNodeSpec} from '../../view/types.js'
import {now, type TimelineEvent} from '../timeline.js'
import {diffViews, observedView, vipHolders, vipMoved, type ObservedReadings} from './view-diff.js'

export {diffMembers, diffPacemaker} from './view-diff.js'

/** crm_mon between two `date` readings on the node: the sample time excludes the SSH round trip. */
export const CRM_POLL_SCRIPT = `date +%s.%N; ${CRM_MON_WATCH_ARGV.join(' ')}; rc=$?; date +%s.%N; exit $rc`

/** Output of a poll script: the middle of the two node-side `date` readings (ms) and what ran between. */
export function parseTimedPoll(
  stdout: string,
): {nodeStartT: number; nodeMidT: number; nodeEndT: number; body: string} | undefined {
  const lines = stdout.trimEnd().split('\n')
  const a = Number(lines[0])
  const b = Number(lines[lines.length - 1])
  if (lines.length < 3 || !/^\d+\.\d+$/.test(lines[0] ?? '') || !Number.isFinite(b)) return undefined
  return {
    nodeStartT: a * 1000,
    nodeMidT: ((a + b) / 2) * 1000,
    nodeEndT: b * 1000,
    body: lines.slice(1, -1).join('\n'),
  }
}

/**
 * Corosync's membership, the very event Pacemaker logs as "state is now lost/member", as a STREAM:
 * `corosync-quorumtool -m` prints the quorum status (membership included) once, then again on every
 * change, over one IPC connection. Each block is preceded by the node's clock when it was printed.
 * Why not poll `corosync-quorumtool -l`: every call opens new IPC connections to corosync, which
 * costs corosync ~90 ms of CPU (measured in the lab), at realtime priority: at a few polls a second
 * the observer took half a core from the cluster it was timing, and slowed the failover it measured.
 */
export const MEMBERS_STREAM_SCRIPT = `stdbuf -oL corosync-quorumtool -m </dev/null | while IFS= read -r l; do case $l in 'Quorum information') date +%s.%N ;; esac; printf '%s\\n' "$l"; done`

/**
 * The membership of one `corosync-quorumtool -s`/`-l`/`-m` status block (src/facts/corosync-quorumtool.ts):
 * member names, the qdevice's own row left out; undefined when the text has no membership.
 */
export function parseMembers(text: string): string[] | undefined {
  try {
    const q = parseQuorumtool(text)
    return q.members.length ? q.members.filter((m) => !m.isQdevice).map((m) => m.name) : undefined
  } catch {
    return undefined
  }
}

/** Framing only: a row of the membership table (a node id, then anything), to tell where a block ends. */
const MEMBER_ROW = /^\s*(0x[0-9a-f]+|\d+)\s+\d+\s+\S/i

/** One status block of the membership stream: when the node printed it (ms, node clock) and who is in. */
export interface MembersBlock {
  nodeT: number
  members: string[]
}

/**
 * Splits the output of MEMBERS_STREAM_SCRIPT, fed in chunks of any size, into status blocks. A block
 * is complete at the blank line that ends its membership rows, or when the next block begins.
 */
export class MembersStream {
  private partial = ''
  private block: {nodeT: number; lines: string[]; rows: boolean; emitted: boolean} | undefined

  push(text: string): MembersBlock[] {
    const out: MembersBlock[] = []
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) {
      if (/^\d+\.\d+$/.test(line)) {
        this.flush(out)
        this.block = {nodeT: Number(line) * 1000, lines: [], rows: false, emitted: false}
        continue
      }
      const b = this.block
      if (!b || b.emitted) continue
      b.lines.push(line)
      const inMembers = b.lines.some((l) => l.startsWith('Membership information'))
      if (inMembers && MEMBER_ROW.test(line)) b.rows = true
      else if (inMembers && b.rows && line.trim() === '') this.flush(out)
    }
    return out
  }

  private flush(out: MembersBlock[]): void {
    const b = this.block
    if (!b || b.emitted) return
    b.emitted = true
    const members = parseMembers(b.lines.join('\n'))
    if (members) out.push({nodeT: b.nodeT, members})
  }
}

/** true when `ip -j addr` output shows the VIP. */
export function holdsVip(stdout: string, vip: string): boolean {
  try {
    return flatAddresses(parseIpAddr(stdout)).some((a) => a.address === vip)
  } catch {
    return false
  }
}

export interface ObserverOptions {
  runner: CommandRunner
  /** Every node to sample for the VIP. */
  nodes: NodeSpec[]
  /** Observer nodes for crm_mon, best first (survivors of the fault). */
  prefer: string[]
  vip?: string
  /** Clock offsets (node − controller, ms) to place each crm_mon sample on the node's own clock. */
  offsets?: ReadonlyMap<string, number>
  crmIntervalMs?: number
  /** Pause before reopening a membership stream that failed (default 500 ms). */
  membersRetryMs?: number
  /** Longest life of one membership stream before it is reopened (default MEMBERS_WINDOW_MS). */
  membersWindowMs?: number
  vipIntervalMs?: number
  /** Poll Pacemaker and Corosync (default true; false for an LB pair whose VIP is keepalived's). */
  pacemaker?: boolean
  record(e: TimelineEvent): void
}

export interface RunningObserver {
  stop(): Promise<void>
  last(): PacemakerState | undefined
  /** Service resource ids seen (for filtering Pacemaker's log). */
  services(): Set<string>
}

/** A membership stream is reopened this often: were hacheck killed, its monitor on the node ends by then. */
export const MEMBERS_WINDOW_MS = 60_000

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export function startObserver(o: ObserverOptions): RunningObserver {
  let stopped = false
  let last: PacemakerState | undefined
  const services = new Set<string>()
  const seenFences = new Set<string>()
  // Every sample updates one source's reading; the view is rebuilt and diffed with the previous one.
  const specs: ViewNodeSpec[] = o.nodes.map((n) => ({
    name: n.name,
    aliases: [n.host],
    roles: n.roles,
    hasBmc: false,
  }))
  let readings: ObservedReadings = {}
  let view: ClusterView | undefined
  const observe = (r: ObservedReadings): {prev: ClusterView | undefined; next: ClusterView} => {
    const prev = view
    readings = r
    view = observedView(specs, o.vip, readings)
    return {prev, next: view}
  }
  const byName = new Map(o.nodes.map((n) => [n.name, n]))
  const order = [...o.prefer, ...o.nodes.map((n) => n.name).filter((n) => !o.prefer.includes(n))]
  let current = 0
  let lastHolders: string[] | undefined
  let lastSampleT: number | undefined
  let lastStartT: number | undefined
  // A change happened between the previous sample and this one: its best estimate is the middle.
  const between = (prevT: number | undefined, t: number): number =>
    prevT !== undefined && t - prevT < 2000 ? (prevT + t) / 2 : t
  const crmLoop = async (): Promise<void> => {
    const interval = o.crmIntervalMs ?? 200
    let failures = 0
    while (!stopped) {
      const started = performance.now()
      const name = order[current % order.length] as string
      const node = byName.get(name)
      if (!node) {
        current++
        continue
      }
      const sent = now()
      try {
        const r = await o.runner.run(node, {script: CRM_POLL_SCRIPT, sudo: true, timeoutMs: 5000})
        const received = now()
        const poll = parseTimedPoll(r.stdout)
        if (r.exitCode !== 0 || !poll) throw new Error(`crm_mon exit ${r.exitCode}`)
        // The sample time on the node's clock mapped to ours (else the middle of the round trip).
        const off = o.offsets?.get(name)
        const crmT = off !== undefined ? poll.nodeMidT - off : (sent + received) / 2
        const startT = off !== undefined ? poll.nodeStartT - off : sent
        const endT = off !== undefined ? poll.nodeEndT - off : received
        const s = pacemakerStateOf(parseCrmMon(poll.body))
        for (const r of s.resources) if (!r.isStonith) services.add(r.id)
        const {prev, next} = observe({...readings, pacemaker: {node: name, state: s}})
        // What this sample shows first happened after the previous sample began and before this one
        // ended: that window goes with the event (its t is only the best guess inside it).
        const t = between(lastSampleT, crmT)
        for (const e of diffViews(prev, next, t, seenFences, {pacemaker: `crm_mon@${name}`}))
          o.record(lastStartT !== undefined ? {...e, earliest: lastStartT, latest: endT} : e)
        last = s
        lastSampleT = crmT
        lastStartT = startT
        failures = 0
      } catch (err) {
        failures++
        lastSampleT = undefined
        lastStartT = undefined
        if (failures >= 2) {
          o.record({
            kind: 'note',
            t: now(),
            text: `observer: ${name} does not answer (${err instanceof Error ? err.message : String(err)}); moving on`,
          })
          current++
          failures = 0
        }
      }
      await sleep(Math.max(0, interval - (performance.now() - started)))
    }
  }
  // Corosync's membership, streamed from the same observer node as crm_mon (it follows crm_mon's
  // choice). A stream lasts at most MEMBERS_WINDOW_MS and is then reopened (the first block of the new
  // one is diffed with the last of the old): were hacheck killed, its monitor ends soon after anyway.
  let membersAbort: AbortController | undefined
  const membersLoop = async (): Promise<void> => {
    const retryMs = o.membersRetryMs ?? 500
    while (!stopped) {
      const name = order[current % order.length] as string
      const node = byName.get(name)
      const src = `corosync@${name}`
      const blocks = new MembersStream()
      const ctl = new AbortController()
      membersAbort = ctl
      const follow = setInterval(() => {
        if (order[current % order.length] !== name) ctl.abort()
      }, 250)
      let timedOut = false
      try {
        if (!node) throw new Error('no node')
        const r = await o.runner.run(
          node,
          {
            script: MEMBERS_STREAM_SCRIPT,
            sudo: true,
            timeoutMs: o.membersWindowMs ?? MEMBERS_WINDOW_MS,
            onStdout: (text) => {
              for (const block of blocks.push(text)) {
                const off = o.offsets?.get(name)
                const t = off !== undefined ? block.nodeT - off : now()
                const sameNode = readings.membership?.node === name
                const {prev, next} = observe({...readings, membership: {node: name, members: block.members}})
                if (sameNode)
                  for (const e of diffViews(prev, next, t, seenFences, {membership: src})) o.record(e)
              }
            },
          },
          ctl.signal,
        )
        timedOut = r.timedOut === true
      } catch {
        // stopped, moved to another node, or the node is gone: reopen below
      } finally {
        clearInterval(follow)
      }
      if (!stopped && !timedOut) await sleep(retryMs)
    }
  }
  const busy = new Set<string>()
  let lastVipStart: number | undefined
  const vipLoop = async (): Promise<void> => {
    const vip = o.vip
    if (!vip) return
    const interval = o.vipIntervalMs ?? 500
    while (!stopped) {
      const started = performance.now()
      const t = now()
      const answers = new Map<string, boolean>()
      const round = o.nodes
        .filter((n) => !busy.has(n.name))
        .map(async (n) => {
          busy.add(n.name)
          try {
            const r = await o.runner.run(n, {argv: ['ip', '-j', 'addr', 'show'], timeoutMs: 5000})
            if (r.exitCode === 0) answers.set(n.name, holdsVip(r.stdout, vip))
          } catch {
            // unreachable: unknown in this sample
          } finally {
            busy.delete(n.name)
          }
        })
      await Promise.race([Promise.allSettled(round), sleep(Math.max(interval * 2, 1000))])
      const holders = vipHolders(observe({...readings, vip: answers}).next)
      const unknown = o.nodes.map((n) => n.name).filter((n) => !answers.has(n))
      o.record({
        kind: 'cluster',
        t,
        phase: 'vip-holders',
        source: 'ip-addr',
        holders,
        ...(unknown.length ? {detail: `no answer from ${unknown.join(', ')}`} : {}),
      })
      const moved = vipMoved(lastHolders, holders)
      // It moved after the previous sample began and before this one ended.
      const window = lastVipStart !== undefined ? {earliest: lastVipStart, latest: now()} : {}
      if (moved) o.record({kind: 'cluster', t, phase: 'vip-moved', source: 'ip-addr', node: moved, ...window})
      if (holders.length > 0) lastHolders = holders
      lastVipStart = t
      await sleep(Math.max(0, interval - (performance.now() - started)))
    }
  }
  const loops = o.pacemaker === false ? [vipLoop()] : [crmLoop(), membersLoop(), vipLoop()]
  return {
    async stop() {
      stopped = true
      membersAbort?.abort()
      await Promise.allSettled(loops)
    },
    last: () => last,
    services: () => services,
  }
}
