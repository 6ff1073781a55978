/**
 * The `sessions` workload: what a logged-in user loses when the app or its session store fails over.
 *
 * It logs in USERS users through the service (`GET /login?user=uN` on the VIP; the app answers with a
 * `sid` cookie), then keeps requesting `GET /whoami` with each user's cookie in turn, at a fixed rate, on a
 * fresh connection each time (so the LB may send it to any app node). Every request is a probe event
 * (probe `session`, the user in `user`): 200 = the session is there; 401 = the service answers but the
 * session is gone (the user is logged out: LOST; the probe itself is up); anything else or no answer = the
 * service or its session store is unavailable (a failed probe, the user not yet lost). A user lost once stays lost: the metric is the number of distinct
 * users that got a 401 after logging in. The app's contract is lab/webapp.py's (any app with a login that
 * sets a cookie and a "who am I" that answers 401 without a session fits).
 */
import {request as httpRequest, type IncomingMessage} from 'node:http'
import {request as httpsRequest} from 'node:https'

import {IncompleteError, InputError} from '../../core/errors.js'
import type {Inventory} from '../../core/types.js'
import {now, type ProbeEvent, type TimelineEvent} from '../timeline.js'
import {fixedRate, type RunningWorkload} from './schedule.js'
import {defineWorkload, type Workload, type WorkloadContext, type WorkloadSpec} from './types.js'

export interface SessionsSpec extends WorkloadSpec {
  kind: 'sessions'
  /** Base URL of the service, e.g. https://198.18.2.100/ */
  url: string
  users: number
  ratePerS: number
  timeoutMs: number
  insecure?: boolean
}

export const DEFAULT_SESSION_USERS = 20

export function describeSessions(w: SessionsSpec): string {
  return `sessions: ${w.users} users logged in through ${w.url}login, then GET ${w.url}whoami with their cookies at ${w.ratePerS}/s (timeout ${w.timeoutMs} ms, fresh connection each)`
}

interface Answer {
  status?: number
  body: string
  /** Every cookie the answer set (name=value), as a browser keeps them: the app's sid, an LB's SRV. */
  cookies?: string[]
  error?: string
  latencyMs: number
}

function get(
  url: string,
  opts: {timeoutMs: number; insecure?: boolean; cookies?: string[]},
): Promise<Answer> {
  const t = now()
  return new Promise((resolve) => {
    let done = false
    const finish = (a: Omit<Answer, 'latencyMs'>): void => {
      if (done) return
      done = true
      resolve({...a, latencyMs: Math.round((now() - t) * 100) / 100})
    }
    const u = new URL(url)
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'GET',
        agent: false,
        headers: {Connection: 'close', ...(opts.cookies?.length ? {Cookie: opts.cookies.join('; ')} : {})},
        timeout: opts.timeoutMs,
        ...(u.protocol === 'https:' ? {rejectUnauthorized: !opts.insecure} : {}),
      },
      (res: IncomingMessage) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          if (body.length < 512) body += c
        })
        res.on('end', () => {
          const set = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
          const cookies = set.map((c) => c.split(';')[0]?.trim() ?? '').filter((c) => /^[^=\s]+=/.test(c))
          finish({status: res.statusCode ?? 0, body: body.trim(), ...(cookies.length ? {cookies} : {})})
        })
        res.on('error', (e) => finish({body: '', error: e.message}))
      },
    )
    req.on('timeout', () => {
      req.destroy()
      finish({body: '', error: 'timeout'})
    })
    req.on('error', (e) => finish({body: '', error: (e as {code?: string}).code ?? e.message}))
    req.end()
  })
}

/** The probe event of one `whoami` answer (pure). */
export function sessionProbe(t: number, user: string, a: Answer): ProbeEvent {
  const app = / on (\S+)$/.exec(a.body)?.[1]
  // A 401 is the service answering: up, but the user's session is gone (counted as lost, not as an outage).
  const ok = a.status === 200 || a.status === 401
  return {
    kind: 'probe',
    t,
    probe: 'session',
    ok,
    latencyMs: a.latencyMs,
    user,
    ...(a.status !== undefined ? {status: a.status} : {}),
    ...(app ? {server: app} : {}),
    ...(ok ? {} : {error: a.error ?? `HTTP ${a.status ?? '?'}`}),
  }
}

/** Users that were logged out (a 401 on whoami), in the order they were first lost (pure). */
export function lostSessions(timeline: readonly TimelineEvent[]): string[] {
  const lost: string[] = []
  for (const e of timeline)
    if (e.kind === 'probe' && e.probe === 'session' && e.status === 401 && e.user && !lost.includes(e.user))
      lost.push(e.user)
  return lost
}

/** Logs the users in (before the fault: a login that fails makes the run incomplete, nothing changed yet). */
async function logIn(w: SessionsSpec, base: string): Promise<{user: string; cookies: string[]}[]> {
  const jars: {user: string; cookies: string[]}[] = []
  for (let i = 1; i <= w.users; i++) {
    const user = `u${i}`
    const a = await get(`${base}login?user=${user}`, {
      timeoutMs: Math.max(w.timeoutMs, 2000),
      insecure: w.insecure,
    })
    if (a.status !== 200 || !a.cookies?.some((c) => c.startsWith('sid=')))
      throw new IncompleteError(
        `sessions: login of ${user} through ${base}login failed: ${a.error ?? `HTTP ${a.status ?? '?'} ${a.body.slice(0, 80)}`}`,
        {code: 'workload-failed'},
      )
    jars.push({user, cookies: a.cookies})
  }
  return jars
}

/** Users log in at prepare; start keeps requesting whoami with each user's cookie in turn. */
function sessionsWorkload(w: SessionsSpec, ctx: WorkloadContext): Workload {
  const base = w.url.endsWith('/') ? w.url : `${w.url}/`
  let jars: {user: string; cookies: string[]}[] = []
  let running: RunningWorkload | undefined
  return {
    describe: () => describeSessions(w),
    async prepare() {
      jars = await logIn(w, base)
      return `sessions: ${jars.length} users logged in through ${base}login`
    },
    start() {
      running = fixedRate(w.ratePerS, async (i) => {
        const c = jars[(i - 1) % jars.length] as {user: string; cookies: string[]}
        const t = now()
        const a = await get(`${base}whoami`, {
          timeoutMs: w.timeoutMs,
          insecure: w.insecure,
          cookies: c.cookies,
        })
        ctx.record(sessionProbe(t, c.user, a))
      })
    },
    stop: async () => running?.stop(),
    settleLagMs: 1000,
  }
}

/** The service's base URL: sessions:https://HOST/, else https://VIP/. */
function baseOf(value: string, inv: Inventory): string {
  const base = value.startsWith('sessions:')
    ? value.slice('sessions:'.length)
    : inv.cluster.vip
      ? `https://${inv.cluster.vip}/`
      : undefined
  if (!base)
    throw new InputError(
      '--workload sessions: the inventory has no cluster.vip; give the service as --workload sessions:https://HOST/',
    )
  try {
    new URL(base)
  } catch {
    throw new InputError(`--workload ${value}: expected sessions or sessions:https://HOST/`)
  }
  return base
}

export default defineWorkload<SessionsSpec>({
  kind: 'sessions',
  keyword: 'sessions',
  summary:
    'Logged-in users: log in through the service, then GET whoami with their cookies; users logged out are counted.',
  writes: false,
  fromLoad(value, c, inv) {
    if (value !== 'sessions' && !value.startsWith('sessions:')) return undefined
    return {
      kind: 'sessions',
      url: baseOf(value, inv),
      users: c.users ?? DEFAULT_SESSION_USERS,
      ratePerS: c.rate,
      timeoutMs: c.probeTimeoutMs,
      insecure: c.insecure,
    }
  },
  gameDay: {
    key: 'sessions',
    schema: {
      type: ['boolean', 'string'],
      pattern: '^https?://',
      'x-expected':
        "true (https://VIP/ of the inventory) or the service's base URL such as https://198.18.2.100/",
    },
    from(w, inv) {
      const v = w.raw.sessions
      return {
        kind: 'sessions',
        url: baseOf(typeof v === 'string' ? `sessions:${v}` : 'sessions', inv),
        users: DEFAULT_SESSION_USERS,
        ratePerS: w.rate,
        timeoutMs: w.timeoutMs,
        ...(w.insecure ? {insecure: true} : {}),
      }
    },
  },
  describe: describeSessions,
  create: sessionsWorkload,
})
