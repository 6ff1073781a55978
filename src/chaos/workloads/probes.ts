/**
 * Probes: one request to the service on a fresh connection, as a timeline
 * event. The probe workloads (http, tcp, command) fire them on the open-loop
 * schedule (probeWorkload); the game day's steady state uses them once.
 *
 * - Fixed schedule: probe i is sent at start + i/rate, whether or not earlier
 *   probes have answered (an open-loop load: a stalled service cannot slow the
 *   probes down and hide its own outage).
 * - A FRESH connection per probe (`agent: false`, `Connection: close`): a
 *   kept-alive connection stays pinned to the old node, or hangs on a dead
 *   one, and would not see the VIP move. Each probe sees what a new client sees.
 * - Per-probe timeout 800 ms by default: below the first TCP SYN retransmit
 *   (1 s), so a lost SYN is a failed probe instead of a slow success, and the
 *   outage edges are sharp.
 * - `t` of a probe is when it was sent; `latencyMs` how long it took.
 */
import {execFile} from 'node:child_process'
import {request as httpRequest, type IncomingMessage} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {connect} from 'node:net'

import {now, type ProbeEvent} from '../timeline.js'
import {fixedRate, type RunningWorkload} from './schedule.js'
import type {Workload, WorkloadContext, WorkloadSpec} from './types.js'

export const DEFAULT_RATE = 20
export const DEFAULT_PROBE_TIMEOUT_MS = 800

/** One HTTP(S) probe on a fresh connection. */
export function probeHttp(
  url: string,
  timeoutMs: number,
  opts: {insecure?: boolean; expectStatus?: number[]} = {},
): Promise<ProbeEvent> {
  const t = now()
  return new Promise((resolve) => {
    let done = false
    const finish = (ok: boolean, extra: Partial<ProbeEvent>): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve({kind: 'probe', t, probe: 'http', ok, latencyMs: round(now() - t), ...extra})
    }
    const u = new URL(url)
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'GET',
        agent: false,
        headers: {connection: 'close', 'user-agent': 'hacheck-chaos-probe'},
        ...(u.protocol === 'https:' ? {rejectUnauthorized: !opts.insecure} : {}),
      },
      (res: IncomingMessage) => {
        res.resume()
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const ok = opts.expectStatus ? opts.expectStatus.includes(status) : status >= 200 && status < 400
          const server = res.headers['x-served-by']
          finish(ok, {
            status,
            ...(typeof server === 'string' ? {server} : {}),
            ...(ok ? {} : {error: `HTTP ${status}`}),
          })
          req.destroy()
        })
        res.on('error', (e) => finish(false, {error: errCode(e)}))
      },
    )
    const timer = setTimeout(() => {
      finish(false, {error: 'timeout'})
      req.destroy()
    }, timeoutMs)
    req.on('error', (e) => finish(false, {error: errCode(e)}))
    req.end()
  })
}

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeEvent> {
  const t = now()
  return new Promise((resolve) => {
    let done = false
    const sock = connect({host, port})
    const finish = (ok: boolean, error?: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      resolve({kind: 'probe', t, probe: 'tcp', ok, latencyMs: round(now() - t), ...(error ? {error} : {})})
    }
    const timer = setTimeout(() => finish(false, 'timeout'), timeoutMs)
    sock.once('connect', () => finish(true))
    sock.once('error', (e) => finish(false, errCode(e)))
  })
}

export function probeCommand(argv: readonly string[], timeoutMs: number): Promise<ProbeEvent> {
  const t = now()
  const [file, ...args] = argv
  return new Promise((resolve) => {
    if (!file) {
      resolve({kind: 'probe', t, probe: 'cmd', ok: false, latencyMs: 0, error: 'empty command'})
      return
    }
    execFile(
      file,
      args,
      {timeout: timeoutMs, killSignal: 'SIGKILL', env: {...process.env, LC_ALL: 'C'}},
      (err) => {
        const latencyMs = round(now() - t)
        if (!err) return resolve({kind: 'probe', t, probe: 'cmd', ok: true, latencyMs})
        const e = err as NodeJS.ErrnoException & {killed?: boolean; code?: string | number}
        const error = e.killed
          ? 'timeout'
          : typeof e.code === 'number'
            ? `exit ${e.code}`
            : String(e.code ?? e.message)
        resolve({kind: 'probe', t, probe: 'cmd', ok: false, latencyMs, error})
      },
    )
  })
}

function errCode(e: unknown): string {
  const code = (e as {code?: unknown}).code
  if (typeof code === 'string') return code
  return e instanceof Error ? e.message : String(e)
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

/** A probe workload: `probe` fired on the open-loop schedule, every result on the timeline. */
export function probeWorkload(
  spec: WorkloadSpec,
  what: string,
  probe: () => Promise<ProbeEvent>,
  ctx: WorkloadContext,
): Workload {
  let running: RunningWorkload | undefined
  return {
    describe: () => describeProbes(spec, what),
    start() {
      running = fixedRate(spec.ratePerS, async () => ctx.record(await probe()))
    },
    stop: async () => running?.stop(),
    // The settle judges probes sent at least 1 s ago (the ones still in flight are simply not there yet).
    settleLagMs: 1000,
  }
}

export function describeProbes(spec: WorkloadSpec, what: string): string {
  return `${spec.kind} ${what} at ${spec.ratePerS}/s (timeout ${spec.timeoutMs} ms, fresh connection each)`
}
