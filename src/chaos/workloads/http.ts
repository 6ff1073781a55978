/**
 * http: GET the service (usually through the VIP) on a fresh connection per
 * probe, at a fixed rate; a 2xx/3xx answer in time is up (probes.ts says why
 * fresh connections and an 800 ms timeout).
 */
import {InputError} from '../../core/errors.js'
import {describeProbes, probeHttp, probeWorkload} from './probes.js'
import {defineWorkload, type WorkloadSpec} from './types.js'

export interface HttpSpec extends WorkloadSpec {
  kind: 'http'
  url: string
  insecure?: boolean
  expectStatus?: number[]
}

function httpUrl(value: string): URL | undefined {
  try {
    const u = new URL(value)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined
  } catch {
    return undefined
  }
}

export default defineWorkload<HttpSpec>({
  kind: 'http',
  summary: 'HTTP(S) GET of the service at a fixed rate, a fresh connection per probe.',
  writes: false,
  fromLoad(value, c) {
    const u = httpUrl(value)
    if (!u) return undefined
    return {
      kind: 'http',
      url: u.toString(),
      ratePerS: c.rate,
      timeoutMs: c.probeTimeoutMs,
      insecure: c.insecure,
    }
  },
  gameDay: {
    key: 'http',
    schema: {type: 'string', pattern: '^https?://', 'x-expected': 'a URL such as http://198.18.2.100/'},
    from(w) {
      const url = String(w.raw.http)
      if (!httpUrl(url)) throw new InputError(`workload.http: expected a URL such as http://198.18.2.100/`)
      return {
        kind: 'http',
        url,
        ratePerS: w.rate,
        timeoutMs: w.timeoutMs,
        ...(w.insecure ? {insecure: true} : {}),
      }
    },
  },
  describe: (s) => describeProbes(s, s.url),
  create: (s, ctx) =>
    probeWorkload(
      s,
      s.url,
      () => probeHttp(s.url, s.timeoutMs, {insecure: s.insecure, expectStatus: s.expectStatus}),
      ctx,
    ),
})
