/** tcp: open a TCP connection to HOST:PORT (and close it) at a fixed rate; connected in time is up. */
import {InputError} from '../../core/errors.js'
import {describeProbes, probeTcp, probeWorkload} from './probes.js'
import {defineWorkload, type WorkloadSpec} from './types.js'

export interface TcpSpec extends WorkloadSpec {
  kind: 'tcp'
  host: string
  port: number
}

export default defineWorkload<TcpSpec>({
  kind: 'tcp',
  summary: 'TCP connect to HOST:PORT at a fixed rate, a fresh connection per probe.',
  writes: false,
  fromLoad(value, c) {
    if (!value.startsWith('tcp:')) return undefined
    let u: URL
    try {
      u = new URL(value)
    } catch {
      throw new InputError(`--load ${value}: expected tcp://HOST:PORT`)
    }
    const port = Number(u.port)
    if (!u.hostname || !port)
      throw new InputError(`--load ${value}: a tcp URL needs a host and a port (tcp://HOST:PORT)`)
    return {
      kind: 'tcp',
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port,
      ratePerS: c.rate,
      timeoutMs: c.probeTimeoutMs,
    }
  },
  gameDay: {
    key: 'tcp',
    schema: {
      type: 'string',
      pattern: '^[^\\s:]+:\\d{1,5}$|^\\[[0-9a-fA-F:]+\\]:\\d{1,5}$',
      'x-expected': 'HOST:PORT such as 198.18.2.100:80',
    },
    from(w) {
      const text = String(w.raw.tcp)
      const m = /^\[?(.+?)\]?:(\d+)$/.exec(text)
      return {
        kind: 'tcp',
        host: m?.[1] ?? text,
        port: Number(m?.[2] ?? 0),
        ratePerS: w.rate,
        timeoutMs: w.timeoutMs,
      }
    },
  },
  describe: (s) => describeProbes(s, `tcp://${s.host}:${s.port}`),
  create: (s, ctx) =>
    probeWorkload(s, `tcp://${s.host}:${s.port}`, () => probeTcp(s.host, s.port, s.timeoutMs), ctx),
})
