/**
 * app-sessions: where an application server keeps its login sessions, as its own settings say. Read from
 * /etc/hacheck/app-sessions.conf (a one-file declaration an operator can add next to any app) or the lab
 * app's /srv/app/app.conf: KEY=VALUE lines, `#` comments.
 *
 *   sessions=local | redis-sentinel | redis | memcached | database
 *   servers=H:P,H:P            (memcached, redis: the servers the app is given)
 *   sentinels=H:P,H:P  master=NAME   (redis-sentinel)
 *
 * `local` means in the app server's own memory or disk: the app is not stateless. The first file found wins;
 * none → ABSENT_RC (the app's session store is not known: the checks say so rather than guess).
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {filesScript, splitParts} from './parts.js'
import {dict, lines} from './util.js'

export type SessionKind = 'local' | 'redis-sentinel' | 'redis' | 'memcached' | 'database'

export interface AppSessions {
  file: string
  store: SessionKind
  servers: string[]
  sentinels: string[]
  master?: string
}

const KINDS: readonly SessionKind[] = ['local', 'redis-sentinel', 'redis', 'memcached', 'database']
const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')

export function parseAppSessions(text: string, file: string): AppSessions {
  const kv = dict<string>()
  for (const raw of lines(text)) {
    const l = raw.trim()
    if (l === '' || l.startsWith('#')) continue
    const i = l.indexOf('=')
    if (i <= 0) throw new ParseError(`${file}: not KEY=VALUE: ${l}`)
    kv[l.slice(0, i).trim()] = l.slice(i + 1).trim()
  }
  const store = (kv['sessions'] ?? 'local') as SessionKind
  if (!KINDS.includes(store))
    throw new ParseError(`${file}: sessions=${store}: expected one of ${KINDS.join(', ')}`)
  const out: AppSessions = {file, store, servers: list(kv['servers']), sentinels: list(kv['sentinels'])}
  if (kv['master']) out.master = kv['master']
  return out
}

export const appSessions = defineGatherer<AppSessions>({
  id: 'app-sessions',
  command: 'cat /etc/hacheck/app-sessions.conf /srv/app/app.conf',
  description: 'Where the app server keeps login sessions (its declared session store and servers)',
  script: `${filesScript(['/etc/hacheck/app-sessions.conf', '/srv/app/app.conf'])}`,
  whenAbsent:
    'no /etc/hacheck/app-sessions.conf or /srv/app/app.conf: the session store of this app is not declared',
  parse: (out) => {
    const p = splitParts(out.stdout).find((x) => x.exitCode === 0)
    if (!p) throw new ParseError('no readable session settings in output')
    return parseAppSessions(p.body, p.name)
  },
})
