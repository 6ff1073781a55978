/**
 * A throwaway PostgreSQL server for tests: Debian's PostgreSQL 15 binaries,
 * run as the `postgres` user (runuser) on a data directory under a fresh
 * mkdtemp directory, listening ONLY on 127.0.0.1 at a free high port, its unix
 * socket in the same temporary directory. Only this server is ever stopped
 * (pg_ctl with its own data directory); `remove()` deletes the directory.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chownSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const PG_BIN = '/usr/lib/postgresql/15/bin'

/** Why a throwaway server cannot run here, or undefined when it can. */
export function postgresSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'needs root (to run PostgreSQL as the postgres user through runuser)'
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl')))
    return `PostgreSQL 15 is not installed (${PG_BIN}/initdb, pg_ctl): apt-get install postgresql-15`
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'there is no postgres user'
  return undefined
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a ? a.port : 0
      s.close(() => resolve(port))
    })
  })
}

export interface TestPostgres {
  host: '127.0.0.1'
  port: number
  /** The directory that holds the data directory and the unix socket. */
  dir: string
  dataDir: string
  /** A superuser-free role the workload logs in as, with a password. */
  user: string
  password: string
  database: string
  start(): void
  /** pg_ctl stop -m immediate (a crash: no shutdown checkpoint, clients cut off). */
  crash(): void
  stop(): void
  /** psql as postgres over the unix socket (independent of the node client). */
  psql(sql: string): string
  remove(): void
}

function asPostgres(argv: string[], input?: string): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', ...argv], {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C'},
  })
}

export async function createTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hacheck-pg-'))
  const pgUid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim())
  const pgGid = Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim())
  chownSync(dir, pgUid, pgGid)
  const dataDir = join(dir, 'data')
  const port = await freePort()
  const password = `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
  const pwFile = join(dir, 'pw')
  writeFileSync(pwFile, 'unused-superuser-password\n', {mode: 0o600})
  chownSync(pwFile, pgUid, pgGid)
  asPostgres([
    join(PG_BIN, 'initdb'),
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth-local=peer',
    '--auth-host=scram-sha-256',
    `--pwfile=${pwFile}`,
    '-E',
    'UTF8',
    '--locale=C',
  ])
  const conf = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    'fsync = on',
    'max_connections = 200',
    'logging_collector = off',
  ].join('\n')
  asPostgres(['bash', '-c', `cat >> ${JSON.stringify(join(dataDir, 'postgresql.conf'))}`], conf + '\n')
  const logFile = join(dir, 'postgres.log')
  const pg: TestPostgres = {
    host: '127.0.0.1',
    port,
    dir,
    dataDir,
    user: 'hacheck_test',
    password,
    database: 'hacheck_test',
    start() {
      asPostgres([join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'])
    },
    crash() {
      asPostgres([join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop'])
    },
    stop() {
      if (existsSync(join(dataDir, 'postmaster.pid')))
        asPostgres([join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', 'stop'])
    },
    psql(sql: string) {
      return asPostgres(
        [
          join(PG_BIN, 'psql'),
          '-X',
          '-q',
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          dir,
          '-p',
          String(port),
          '-U',
          'postgres',
          '-d',
          pg.database,
        ],
        sql,
      )
    },
    remove() {
      rmSync(dir, {recursive: true, force: true})
    },
  }
  pg.start()
  asPostgres(
    [
      join(PG_BIN, 'psql'),
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      dir,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
    ],
    `CREATE ROLE ${pg.user} LOGIN PASSWORD '${password}';\nCREATE DATABASE ${pg.database} OWNER ${pg.user};\n`,
  )
  return pg
}
