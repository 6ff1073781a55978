import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {toFact} from '../../../src/audit/facts.js'
import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {
  mysqlReplica,
  parseMysqlReplica,
  parseVertical,
  toChannel,
  type MysqlInstance,
} from '../../../src/facts/mysql-replica.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'mysql-replica')
const inst = (name: string): MysqlInstance => {
  const r = parseMysqlReplica(readFileSync(join(dir, name), 'utf8'))
  expect(r.instances).toHaveLength(1)
  const i = r.instances[0]
  if (!i) throw new Error(name)
  return i
}

describe('mysql-replica parser on outputs captured from a real MariaDB 10.11 pair', () => {
  it('reads every captured file as one MariaDB server with no error', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
    expect(files).toHaveLength(9)
    for (const f of files) {
      const i = inst(f)
      expect(i.error, f).toBeUndefined()
      expect([i.flavor, i.version], f).toEqual(['mariadb', '10.11.19-MariaDB-0+deb12u1-log'])
    }
  })

  it('reads the primary: no channel, one Binlog Dump thread, semi-sync off', () => {
    const i = inst('primary-async.txt')
    expect(i).toMatchObject({
      socket: '/tmp/replcap/my/primary.sock',
      serverId: 1,
      readOnly: false,
      channels: [],
    })
    expect(i.replicas).toEqual([
      {
        id: 5,
        user: 'repl',
        host: 'localhost:54490',
        timeS: 18,
        state: 'Master has sent all binlog to slave; waiting for more updates',
      },
    ])
    expect(i.semiSync).toEqual({
      sourceEnabled: false,
      replicaEnabled: false,
      sourceActive: false,
      replicaActive: false,
      sourceClients: 0,
      timeoutMs: 10000,
      waitPoint: 'AFTER_COMMIT',
    })
  })

  it('reads the healthy replica under the Slave_*/Master_* names MariaDB still prints', () => {
    const i = inst('replica-async.txt')
    expect(i.serverId).toBe(2)
    const ch = i.channels[0]
    if (!ch) throw new Error('no channel')
    const {fields, ...c} = ch
    expect(c).toEqual({
      channel: '',
      sourceHost: '127.0.0.1',
      sourcePort: 53306,
      sourceUser: 'repl',
      ioRunning: 'Yes',
      sqlRunning: 'Yes',
      secondsBehind: 0,
      ioState: 'Waiting for master to send event',
      lastIoErrno: 0,
      lastIoError: undefined,
      lastSqlErrno: 0,
      lastSqlError: undefined,
    })
    expect(fields['Using_Gtid']).toBe('Slave_Pos')
    expect(fields['Replicate_Do_DB']).toBe('')
  })

  it('reads semi-sync in force on the primary and on the replica', () => {
    expect(inst('primary-semisync.txt').semiSync).toMatchObject({
      sourceEnabled: true,
      sourceActive: true,
      sourceClients: 1,
    })
    expect(inst('replica-semisync.txt').semiSync).toMatchObject({replicaEnabled: true, replicaActive: true})
  })

  it('reads semi-sync that fell back to asynchronous after the replica went away', () => {
    const i = inst('primary-semisync-fell-back.txt')
    expect(i.semiSync).toMatchObject({sourceEnabled: true, sourceActive: false, sourceClients: 0})
    expect(i.replicas).toEqual([])
  })

  it('reads the broken replicas: SQL error 1062, IO thread stopped, source down', () => {
    expect(inst('replica-sql-error.txt').channels[0]).toMatchObject({
      ioRunning: 'Yes',
      sqlRunning: 'No',
      secondsBehind: null,
      lastSqlErrno: 1062,
      lastSqlError:
        "Error 'Duplicate entry '1065' for key 'PRIMARY'' on query. Default database: ''. Query: 'INSERT INTO app.t (i) VALUES (1065)'",
    })
    expect(inst('replica-io-stopped.txt').channels[0]).toMatchObject({
      ioRunning: 'No',
      sqlRunning: 'Yes',
      secondsBehind: null,
    })
    expect(inst('replica-source-down.txt').channels[0]).toMatchObject({
      ioRunning: 'Connecting',
      secondsBehind: null,
      lastIoErrno: 2003,
      lastIoError: expect.stringContaining(
        `Can't connect to server on '127.0.0.1' (111 "Connection refused")`,
      ),
    })
  })

  it('reads a delayed replica 30 s behind', () => {
    const c = inst('replica-delayed-30s.txt').channels[0]
    expect(c?.secondsBehind).toBe(30)
    expect(c?.fields['SQL_Delay']).toBe('30')
  })
})

describe('mysql-replica parser on edge cases', () => {
  it('reads the MySQL 8 Replica_*/Source_* names and a multi-line GTID set', () => {
    const rows = parseVertical(
      '*************************** 1. row ***************************\n' +
        '             Replica_IO_State: Waiting for source to send event\n' +
        '                  Source_Host: 198.18.0.1\n' +
        '                  Source_Port: 3306\n' +
        '           Replica_IO_Running: Yes\n' +
        '          Replica_SQL_Running: Yes\n' +
        '        Seconds_Behind_Source: 3\n' +
        '           Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n' +
        '4e11fa47-71ca-11e1-9e33-c80aa9429562:1-9\n' +
        '                 Channel_Name: ch1\n',
    )
    expect(rows[0]?.['Executed_Gtid_Set']).toBe(
      '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n4e11fa47-71ca-11e1-9e33-c80aa9429562:1-9',
    )
    expect(toChannel(rows[0] ?? {})).toMatchObject({
      channel: 'ch1',
      sourceHost: '198.18.0.1',
      ioRunning: 'Yes',
      secondsBehind: 3,
    })
  })

  it('keeps the client’s words when a server refuses the connection', () => {
    const r = parseMysqlReplica(
      "@@hacheck-part:begin replica-status /run/mysqld/mysqld.sock@@\nERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)\n@@hacheck-part:end 1@@\n",
    )
    expect(r.instances[0]?.error).toBe(
      "replica-status: ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)",
    )
  })

  it('gives a parse error for text outside the vertical format, and not-applicable when absent', () => {
    expect(() => parseVertical('Slave_IO_Running: Yes\n')).toThrow(ParseError)
    expect(toFact('db1', mysqlReplica, {stdout: '', stderr: '', exitCode: ABSENT_RC})).toMatchObject({
      ok: false,
      error: {code: 'not-applicable'},
    })
  })

  it('ships a snippet that bash parses', () => {
    expect(spawnSync('bash', ['-n', '-c', mysqlReplica.script], {encoding: 'utf8'}).stderr).toBe('')
  })
})
