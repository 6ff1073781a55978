import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {toFact} from '../../../src/audit/facts.js'
import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {
  parsePgReplication,
  parseSyncStandbyNames,
  pgReplication,
  type PgServer,
} from '../../../src/facts/pg-replication.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'pg-replication')
const server = (name: string): PgServer => {
  const r = parsePgReplication(readFileSync(join(dir, name), 'utf8'))
  expect(r.instances).toHaveLength(1)
  const s = r.instances[0]?.server
  if (!s) throw new Error(`${name}: no server`)
  return s
}

describe('pg-replication parser on outputs captured from a real PostgreSQL 15 pair', () => {
  it('reads every captured file as one server with no error', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
    expect(files).toHaveLength(9)
    for (const f of files) {
      const r = parsePgReplication(readFileSync(join(dir, f), 'utf8'))
      expect(r.instances[0]?.error, f).toBeUndefined()
      expect(r.instances[0]?.server?.versionNum, f).toBe(150018)
    }
  })

  it('reads the postmaster.pid of the primary: data directory, port and socket directory', () => {
    const r = parsePgReplication(readFileSync(join(dir, 'primary-async.txt'), 'utf8'))
    expect(r.instances[0]).toMatchObject({
      pid: 2,
      dataDir: '/tmp/replcap/pg/primary',
      port: 55432,
      socketDir: '/tmp/replcap/pg/sock-primary',
      listenAddresses: '127.0.0.1',
    })
  })

  it('reads an asynchronous primary with one streaming standby and its lags in seconds', () => {
    const s = server('primary-async.txt')
    expect(s).toMatchObject({
      inRecovery: false,
      version: '15.18 (Debian 15.18-0+deb12u1)',
      clusterName: 'primary',
      synchronousStandbyNames: '',
      synchronousCommit: 'on',
      currentLsn: '0/31BD8C8',
    })
    expect(s.standbys).toEqual([
      {
        pid: 12,
        applicationName: 'standby1',
        clientAddr: '127.0.0.1',
        clientHostname: undefined,
        state: 'streaming',
        syncState: 'async',
        syncPriority: 0,
        sentLsn: '0/31BD8C8',
        writeLsn: '0/31BD8C8',
        flushLsn: '0/31BD8C8',
        replayLsn: '0/31BD8C8',
        writeLagS: 0.000605,
        flushLagS: 0.004855,
        replayLagS: 0.005584,
        replayLagBytes: 0,
        replyTime: '2026-11-26T03:08:28.399354+00:00',
      },
    ])
    expect(s.slots).toEqual([
      {
        slotName: 'standby1',
        slotType: 'physical',
        active: true,
        restartLsn: '0/31BD8C8',
        retainedBytes: 0,
        walStatus: 'reserved',
      },
    ])
    expect(s.walReceiver).toBeUndefined()
  })

  it('reads the streaming standby side: WAL receiver, receive and replay positions', () => {
    const s = server('standby-async.txt')
    expect(s).toMatchObject({
      inRecovery: true,
      clusterName: 'standby1',
      currentLsn: undefined,
      receiveLsn: '0/32912A8',
      replayLsn: '0/32912A8',
      replayPaused: false,
      lastReplayAgeS: 0.051919,
      standbys: [],
      slots: [],
    })
    expect(s.walReceiver).toMatchObject({
      pid: 6,
      status: 'streaming',
      senderHost: '127.0.0.1',
      senderPort: 55432,
      slotName: 'standby1',
      flushedLsn: '0/32912A8',
      lastMsgAgeS: 0.049653,
    })
  })

  it('shows a paused replay from both sides: 21 s and 7 MB behind on the primary, receive ahead of replay on the standby', () => {
    const p = server('primary-async-replay-paused.txt')
    expect(p.standbys[0]).toMatchObject({replayLagS: 21.419469, replayLagBytes: 7004040, flushLagS: 0.001712})
    const s = server('standby-replay-paused.txt')
    expect(s).toMatchObject({
      replayPaused: true,
      receiveLsn: '0/3B09A30',
      replayLsn: '0/3341830',
      lastReplayAgeS: 28.184944,
    })
  })

  it('reads a synchronous and a quorum primary', () => {
    const sync = server('primary-sync.txt')
    expect(sync.synchronousStandbyNames).toBe('FIRST 1 (standby1)')
    expect(sync.standbys.map((x) => [x.applicationName, x.syncState, x.syncPriority])).toEqual([
      ['standby1', 'sync', 1],
    ])
    const quorum = server('primary-quorum.txt')
    expect(quorum.synchronousStandbyNames).toBe('ANY 1 (standby1, standby2)')
    expect(quorum.standbys.map((x) => x.syncState)).toEqual(['quorum'])
    expect(server('standby-sync.txt').walReceiver?.status).toBe('streaming')
  })

  it('shows a stopped standby as no WAL sender and an inactive slot on the primary', () => {
    const s = server('primary-sync-standby-down.txt')
    expect(s.standbys).toEqual([])
    expect(s.slots.map((x) => [x.slotName, x.active, x.retainedBytes])).toEqual([['standby1', false, 56]])
  })

  it('shows a stopped primary as no WAL receiver on the standby', () => {
    const s = server('standby-primary-down.txt')
    expect(s.walReceiver).toBeUndefined()
    expect(s.lastReplayAgeS).toBe(19.788975)
  })
})

describe('pg-replication parser on edge cases', () => {
  it('keeps psql’s own words when a server cannot be queried, and the other servers', () => {
    const out =
      '@@hacheck-part:begin postmaster.pid 7@@\n7\n/srv/pg\n1\n5433\n/run/postgresql\n*\n@@hacheck-part:end 0@@\n' +
      '@@hacheck-part:begin psql 7@@\npsql: error: connection to server on socket "/run/postgresql/.s.PGSQL.5433" failed: FATAL:  role "postgres" does not exist\n@@hacheck-part:end 2@@\n'
    const r = parsePgReplication(out)
    expect(r.instances).toEqual([
      {
        pid: 7,
        dataDir: '/srv/pg',
        port: 5433,
        socketDir: '/run/postgresql',
        listenAddresses: '*',
        error:
          'psql: error: connection to server on socket "/run/postgresql/.s.PGSQL.5433" failed: FATAL:  role "postgres" does not exist',
      },
    ])
  })

  it('gives a parse error for output without any server', () => {
    expect(() => parsePgReplication('')).toThrow(ParseError)
  })

  it('turns "no PostgreSQL here" into not-applicable and a stopped server into an error', () => {
    expect(toFact('db1', pgReplication, {stdout: '', stderr: '', exitCode: ABSENT_RC})).toMatchObject({
      ok: false,
      error: {code: 'not-applicable'},
    })
    const stopped = toFact('db1', pgReplication, {
      stdout: '',
      stderr:
        'PostgreSQL is configured on this node (/etc/postgresql/15/main/postgresql.conf) but no server is running\n',
      exitCode: 1,
    })
    expect(stopped).toMatchObject({ok: false, error: {code: 'command-failed'}})
    expect(stopped.ok ? '' : stopped.error.message).toMatch(/but no server is running/)
    expect(toFact('db1', pgReplication, {stdout: '', stderr: '', exitCode: 127})).toMatchObject({
      ok: false,
      error: {code: 'not-installed', message: 'psql is not installed on db1'},
    })
  })

  it('reads synchronous_standby_names in all its forms', () => {
    expect(parseSyncStandbyNames('')).toBeUndefined()
    expect(parseSyncStandbyNames('FIRST 1 (standby1)')).toEqual({
      method: 'first',
      num: 1,
      names: ['standby1'],
    })
    expect(parseSyncStandbyNames('ANY 2 (a, "B c", d)')).toEqual({
      method: 'any',
      num: 2,
      names: ['a', 'B c', 'd'],
    })
    expect(parseSyncStandbyNames('2 (s1,s2,s3)')).toEqual({
      method: 'first',
      num: 2,
      names: ['s1', 's2', 's3'],
    })
    expect(parseSyncStandbyNames('s1, s2')).toEqual({method: 'first', num: 1, names: ['s1', 's2']})
    expect(parseSyncStandbyNames('*')).toEqual({method: 'first', num: 1, names: ['*']})
  })

  it('ships a snippet that bash parses', () => {
    expect(spawnSync('bash', ['-n', '-c', pgReplication.script], {encoding: 'utf8'}).stderr).toBe('')
  })
})
