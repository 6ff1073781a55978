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
import type {CommandRunner, NodeSpec} from '../core/types.js'
import {
  CRM_MON_ARGV,
  parseClusterState,
  resourceLocations,
  type ClusterState,
  type FenceRecord,
} from './cluster-state.js'
import {parseIpAddr} from './net.js'
import {now, type ClusterEvent, type TimelineEvent} from './timeline.js'

function fenceKey(f: FenceRecord): string {
  return `${f.target}|${f.action}|${f.delegate ?? ''}|${f.origin ?? ''}|${f.client ?? ''}|${f.completed ?? ''}`
}

/** Fence devices are resources too, but their moves are not the service failing over. */
export function serviceResourceIds(s: ClusterState): Set<string> {
  return new Set(s.resources.filter((r) => !r.agent.startsWith('stonith:')).map((r) => r.id))
}

/**
 * Events between two consecutive crm_mon states (pure). `seenFences` holds the
 * fence records already reported (the history also lists old fences); it is
 * updated.
 */
export function diffStates(
  prev: ClusterState | undefined,
  next: ClusterState,
  t: number,
  source: string,
  seenFences: Set<string>,
): ClusterEvent[] {
  const out: ClusterEvent[] = []
  const ev = (phase: ClusterEvent['phase'], extra: Partial<ClusterEvent> = {}): void => {
    out.push({kind: 'cluster', t, phase, source, ...extra})
  }
  // Fence history: pending → requested; success → confirmed; failed → failed.
  for (const f of next.fences) {
    const key = `${fenceKey(f)}|${f.status}`
    if (seenFences.has(key)) continue
    seenFences.add(key)
    if (!prev) continue
    const phase =
      f.status === 'pending' ? 'fence-requested' : f.status === 'success' ? 'fence-confirmed' : 'fence-failed'
    ev(phase, {
      node: f.target,
      detail: `${f.action} by ${f.delegate ?? '?'} for ${f.client ?? '?'}@${f.origin ?? '?'}${f.completed ? ` completed ${f.completed}` : ''}`,
    })
  }
  if (!prev) return out
  if (prev.quorate && !next.quorate) ev('quorum-lost')
  if (!prev.quorate && next.quorate) ev('quorum-regained')
  const before = new Map(prev.nodes.map((n) => [n.name, n]))
  for (const n of next.nodes) {
    const p = before.get(n.name)
    if (!p) continue
    if (p.online && !n.online) ev('node-lost', {node: n.name})
    if (!p.unclean && n.unclean) ev('node-unclean', {node: n.name})
    if (!p.online && n.online) ev('node-rejoined', {node: n.name})
  }
  const services = serviceResourceIds(next)
  const prevServices = serviceResourceIds(prev)
  // Started = the start finished (role Started); stopped = no instance left there at all.
  const upBefore = resourceLocations(prev, {running: true})
  const upNow = resourceLocations(next, {running: true})
  const presentBefore = resourceLocations(prev)
  const presentNow = resourceLocations(next)
  for (const id of new Set([...presentBefore.keys(), ...presentNow.keys(), ...upNow.keys()])) {
    if (!services.has(id) && !prevServices.has(id)) continue
    const was = presentBefore.get(id) ?? []
    const is = presentNow.get(id) ?? []
    for (const node of was.filter((x) => !is.includes(x))) ev('resource-stopped', {node, resource: id})
    const wasUp = upBefore.get(id) ?? []
    for (const node of (upNow.get(id) ?? []).filter((x) => !wasUp.includes(x)))
      ev('resource-started', {node, resource: id})
  }
  return out
}

/** crm_mon between two `date` readings on the node: the sample time excludes the SSH round trip. */
export const CRM_POLL_SCRIPT = `date +%s.%N; ${CRM_MON_ARGV.join(' ')}; rc=$?; date +%s.%N; exit $rc`

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

/** A membership row: node id (decimal, or hex with -H), votes, then [qdevice flags] name ["(local)"]. */
const MEMBER_ROW = /^\s*(0x[0-9a-f]+|\d+)\s+\d+\s+(\S.*)$/i

/**
 * The membership section of `corosync-quorumtool -s`/`-l`/`-m` output → member names, "(local)"
 * dropped, the qdevice's own row (node id 0) left out; with a qdevice the flags column comes before
 * the name, so the name is the row's last word. undefined when the text has no membership section.
 */
export function parseMembers(text: string): string[] | undefined {
  const at = text.indexOf('Membership information')
  if (at < 0) return undefined
  const names: string[] = []
  for (const line of text.slice(at).split('\n')) {
    const m = MEMBER_ROW.exec(line)
    if (!m || Number(m[1]) === 0) continue
    const words = (m[2] as string)
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '(local)')
    const name = words[words.length - 1]
    if (name) names.push(name)
  }
  return names
}

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

/** Membership changes between two samples: who left, who came back. */
export function diffMembers(
  prev: readonly string[] | undefined,
  next: readonly string[] | undefined,
  t: number,
  source: string,
): ClusterEvent[] {
  if (!prev || !next) return []
  const out: ClusterEvent[] = []
  for (const n of prev.filter((x) => !next.includes(x)))
    out.push({
      kind: 'cluster',
      t,
      phase: 'node-lost',
      node: n,
      source,
      detail: 'left the Corosync membership',
    })
  for (const n of next.filter((x) => !prev.includes(x)))
    out.push({
      kind: 'cluster',
      t,
      phase: 'node-rejoined',
      node: n,
      source,
      detail: 'joined the Corosync membership',
    })
  return out
}

/** true when `ip -j addr` output shows the VIP. */
export function holdsVip(stdout: string, vip: string): boolean {
  try {
    return parseIpAddr(stdout).some((a) => a.address === vip)
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
  record(e: TimelineEvent): void
}

export interface RunningObserver {
  stop(): Promise<void>
  last(): ClusterState | undefined
  /** Service resource ids seen (for filtering Pacemaker's log). */
  services(): Set<string>
}

/** A membership stream is reopened this often: were hacheck killed, its monitor on the node ends by then. */
export const MEMBERS_WINDOW_MS = 60_000

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export function startObserver(o: ObserverOptions): RunningObserver {
  let stopped = false
  let last: ClusterState | undefined
  const services = new Set<string>()
  const seenFences = new Set<string>()
  const byName = new Map(o.nodes.map((n) => [n.name, n]))
  const order = [...o.prefer, ...o.nodes.map((n) => n.name).filter((n) => !o.prefer.includes(n))]
  let current = 0
  let lastHolders: string[] | undefined
  let lastSampleT: number | undefined
  let lastStartT: number | undefined
  let lastMembers: string[] | undefined
  let lastMembersFrom: string | undefined
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
        const s = parseClusterState(poll.body)
        for (const id of serviceResourceIds(s)) services.add(id)
        // What this sample shows first happened after the previous sample began and before this one
        // ended: that window goes with the event (its t is only the best guess inside it).
        for (const e of diffStates(last, s, between(lastSampleT, crmT), `crm_mon@${name}`, seenFences))
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
                if (lastMembersFrom === name)
                  for (const e of diffMembers(lastMembers, block.members, t, src)) o.record(e)
                lastMembers = block.members
                lastMembersFrom = name
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
      const holders = [...answers]
        .filter(([, h]) => h)
        .map(([n]) => n)
        .sort()
      const unknown = o.nodes.map((n) => n.name).filter((n) => !answers.has(n))
      o.record({
        kind: 'cluster',
        t,
        phase: 'vip-holders',
        source: 'ip-addr',
        holders,
        ...(unknown.length ? {detail: `no answer from ${unknown.join(', ')}`} : {}),
      })
      if (lastHolders && holders.length === 1 && lastHolders.join() !== holders.join()) {
        const moved = holders[0] as string
        if (!lastHolders.includes(moved))
          o.record({kind: 'cluster', t, phase: 'vip-moved', source: 'ip-addr', node: moved})
      }
      if (holders.length > 0) lastHolders = holders
      await sleep(Math.max(0, interval - (performance.now() - started)))
    }
  }
  const loops = [crmLoop(), membersLoop(), vipLoop()]
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
