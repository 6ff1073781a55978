import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {toFact} from '../../../src/audit/facts.js'
import {ABSENT_RC, ParseError} from '../../../src/facts/gatherer.js'
import {
  parseInfo,
  parseRedisReplication,
  redisReplication,
  type RedisInstance,
} from '../../../src/facts/redis-replication.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'redis-replication')
const inst = (name: string): RedisInstance => {
  const r = parseRedisReplication(readFileSync(join(dir, name), 'utf8'))
  expect(r.instances).toHaveLength(1)
  const i = r.instances[0]
  if (!i) throw new Error(name)
  return i
}

describe('redis-replication parser on outputs captured from a real Redis 7.0 pair', () => {
  it('reads every captured file as one standalone Redis 7.0.15 with no error', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'))
    expect(files).toHaveLength(5)
    for (const f of files)
      expect([inst(f).version, inst(f).mode, inst(f).error], f).toEqual(['7.0.15', 'standalone', undefined])
  })

  it('reads the master with its online replica and lag', () => {
    const i = inst('master-healthy.txt')
    expect(i).toMatchObject({
      address: '127.0.0.1:56379',
      role: 'master',
      connectedReplicas: 1,
      masterReplOffset: 919,
    })
    expect(i.replicas).toEqual([{ip: '127.0.0.1', port: 56380, state: 'online', offset: 859, lagS: 0}])
    expect(i.fields['master_replid2']).toBe('0000000000000000000000000000000000000000')
  })

  it('reads the replica with its link up', () => {
    expect(inst('replica-healthy.txt')).toMatchObject({
      address: '127.0.0.1:56380',
      role: 'slave',
      masterHost: '127.0.0.1',
      masterPort: 56379,
      masterLinkStatus: 'up',
      masterLastIoSecondsAgo: 1,
      masterSyncInProgress: false,
      replicaReplOffset: 1309,
    })
  })

  it('reads a stalled replica (23 s since its last ack), a master without replica and a replica whose master is down', () => {
    expect(inst('master-replica-stalled.txt').replicas[0]).toMatchObject({state: 'online', lagS: 23})
    expect(inst('master-no-replica.txt')).toMatchObject({connectedReplicas: 0, replicas: []})
    expect(inst('replica-master-down.txt')).toMatchObject({
      masterLinkStatus: 'down',
      masterLastIoSecondsAgo: -1,
      masterLinkDownSinceSeconds: 8,
    })
  })
})

describe('redis-replication parser on edge cases', () => {
  it('records an authentication error instead of a role', () => {
    const r = parseRedisReplication(
      '@@hacheck-part:begin server 127.0.0.1:6379@@\nNOAUTH Authentication required.\n\n@@hacheck-part:end 0@@\n' +
        '@@hacheck-part:begin replication 127.0.0.1:6379@@\nNOAUTH Authentication required.\n\n@@hacheck-part:end 0@@\n',
    )
    expect(r.instances[0]).toMatchObject({
      address: '127.0.0.1:6379',
      error: 'NOAUTH Authentication required.',
    })
  })

  it('refuses a line that is not key:value, and reports an absent Redis as not-applicable', () => {
    expect(() => parseInfo('# Replication\r\nrole master\r\n')).toThrow(ParseError)
    expect(toFact('db1', redisReplication, {stdout: '', stderr: '', exitCode: ABSENT_RC})).toMatchObject({
      ok: false,
      error: {code: 'not-applicable'},
    })
  })

  it('ships a snippet that bash parses', () => {
    expect(spawnSync('bash', ['-n', '-c', redisReplication.script], {encoding: 'utf8'}).stderr).toBe('')
  })
})
