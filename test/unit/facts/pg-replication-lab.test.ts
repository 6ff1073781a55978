/**
 * The pg-replication parser and the replication-mode judgement on outputs
 * captured in the lab's db profile (PostgreSQL 15 under the Pacemaker pgsql
 * resource agent): the RA's quoted synchronous_standby_names, standbys named
 * after their node, streaming from the replication VIP, and a throttled link.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {pgMode} from '../../../src/checks/replication/mode-vs-rpo.js'
import {parsePgReplication, parseSyncStandbyNames, type PgServer} from '../../../src/facts/pg-replication.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'pg-replication', 'lab-pgsql-ra')
const server = (name: string): PgServer => {
  const r = parsePgReplication(readFileSync(join(dir, name), 'utf8'))
  expect(r.instances).toHaveLength(1)
  const s = r.instances[0]?.server
  if (!s) throw new Error(`${name}: no server`)
  return s
}

describe('pg-replication on outputs captured in the lab db profile (pgsql resource agent)', () => {
  it('reads every capture as one Debian PostgreSQL 15 server on the default data and socket directories', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
    expect(files.sort()).toEqual([
      'primary-async-lagging.txt',
      'primary-async.txt',
      'primary-sync.txt',
      'standby-async.txt',
      'standby-sync.txt',
    ])
    for (const f of files) {
      const r = parsePgReplication(readFileSync(join(dir, f), 'utf8'))
      expect(r.instances[0]?.error, f).toBeUndefined()
      expect(r.instances[0], f).toMatchObject({
        dataDir: '/var/lib/postgresql/15/main',
        port: 5432,
        socketDir: '/var/run/postgresql',
        listenAddresses: '*',
      })
      expect(r.instances[0]?.server?.clusterName, f).toBe('lab')
    }
  })

  it('reads the quoted plain list the RA writes into synchronous_standby_names as FIRST 1 of that node', () => {
    const s = server('primary-sync.txt')
    expect(s.synchronousStandbyNames).toBe('"db1"')
    expect(parseSyncStandbyNames(s.synchronousStandbyNames)).toEqual({
      method: 'first',
      num: 1,
      names: ['db1'],
    })
    expect(s.standbys).toMatchObject([
      {
        applicationName: 'db1',
        clientAddr: '198.18.4.11',
        state: 'streaming',
        syncState: 'sync',
        replayLagBytes: 0,
      },
    ])
    expect(pgMode(s)).toMatchObject({sync: true})
    expect(pgMode(s).detail).toContain(`synchronous_standby_names '"db1"'`)
  })

  it('reads the standby streaming from the replication VIP', () => {
    const s = server('standby-sync.txt')
    expect(s.inRecovery).toBe(true)
    expect(s.walReceiver).toMatchObject({status: 'streaming', senderHost: '198.18.4.100', senderPort: 5432})
    expect(s.receiveLsn).toBe(s.replayLsn)
  })

  it('judges the async variant asynchronous: the RA empties synchronous_standby_names', () => {
    const s = server('primary-async.txt')
    expect(s.standbys.map((x) => `${x.applicationName} ${x.state} ${x.syncState}`)).toEqual([
      'db2 streaming async',
    ])
    expect(pgMode(s)).toEqual({sync: false, detail: 'asynchronous (synchronous_standby_names is empty)'})
    expect(server('standby-async.txt').walReceiver?.status).toBe('streaming')
  })

  it('reads a throttled replication link: the standby still streams, 22.9 MB behind but only 3.2 s of replay lag', () => {
    const [x] = server('primary-async-lagging.txt').standbys
    expect(x).toMatchObject({
      applicationName: 'db2',
      state: 'streaming',
      syncState: 'async',
      sentLsn: '0/7164000',
      replayLsn: '0/70026B8',
      replayLagS: 3.168442,
      flushLagS: 2.950593,
      replayLagBytes: 22950160,
    })
  })
})
