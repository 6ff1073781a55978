import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {galeraSize, parseGalera, parseProviderOptions, type GaleraServer} from '../../../src/facts/galera.js'
import {galeraReading, wsrepServer} from '../../../src/view/galera.js'
import {fixturesDir} from '../../support/paths.js'

const dir = join(fixturesDir, 'outputs', 'galera')
const server = (capture: string, node: string): GaleraServer => {
  const g = parseGalera(readFileSync(join(dir, capture, node, 'galera.out'), 'utf8'))
  expect(g.servers).toHaveLength(1)
  const s = wsrepServer(g.servers)
  if (!s) throw new Error(`${capture}/${node}: no wsrep server`)
  return s
}
const captures = readdirSync(dir, {withFileTypes: true})
  .filter((d) => d.isDirectory() && d.name !== 'error-log')
  .map((d) => d.name)

describe('galera parser on outputs captured from the lab (MariaDB 10.11 + Galera 4)', () => {
  it('reads one wsrep server on every node of every capture, without error', () => {
    expect(captures.sort()).toEqual(['healthy', 'ignore-sb', 'minority-g3', 'small-gcache', 'weight'])
    for (const c of captures)
      for (const n of ['g1', 'g2', 'g3']) {
        const s = server(c, n)
        expect(s.error, `${c}/${n}`).toBeUndefined()
        expect([s.wsrepOn, s.version, s.clusterName, s.nodeName], `${c}/${n}`).toEqual([
          true,
          '10.11.19-MariaDB-0+deb12u1',
          'hacheck-lab',
          n,
        ])
      }
  })

  it('reads a healthy node: Primary, 3 members by client address, Synced, ready, connected, its settings', () => {
    const s = server('healthy', 'g1')
    expect(s).toMatchObject({
      clusterStatus: 'Primary',
      clusterSize: 3,
      localState: 'Synced',
      ready: true,
      connected: true,
      nodeAddress: '198.18.4.11',
      clusterAddress: ['198.18.4.11', '198.18.4.12', '198.18.4.13'],
      sstMethod: 'rsync',
      gcacheBytes: 128 * 1024 * 1024,
      pcWeight: 1,
      ignoreSb: false,
      ignoreQuorum: false,
      flowControlPaused: 0,
    })
    expect([...s.incomingAddresses].sort()).toEqual([
      '198.18.2.11:3306',
      '198.18.2.12:3306',
      '198.18.2.13:3306',
    ])
    expect(s.providerOptions['evs.suspect_timeout']).toBe('PT5S')
    expect(s.uptimeS).toBeGreaterThan(0)
    expect(s.variables['wsrep_sst_auth']).toBe('')
  })

  it('reads each variant’s setting', () => {
    expect(server('ignore-sb', 'g2').ignoreSb).toBe(true)
    expect([server('weight', 'g1').pcWeight, server('weight', 'g2').pcWeight]).toEqual([3, 1])
    expect(server('small-gcache', 'g3').gcacheBytes).toBe(8 * 1024 * 1024)
  })

  it('reads both sides of a partition: the majority Primary with 2 members, the minority non-Primary alone', () => {
    const g1 = server('minority-g3', 'g1')
    expect([g1.clusterStatus, g1.clusterSize, g1.localState, g1.ready]).toEqual([
      'Primary',
      2,
      'Synced',
      true,
    ])
    expect([...g1.incomingAddresses].sort()).toEqual(['198.18.2.11:3306', '198.18.2.12:3306'])
    const g3 = server('minority-g3', 'g3')
    expect([g3.clusterStatus, g3.clusterSize, g3.ready, g3.connected]).toEqual([
      'non-Primary',
      1,
      false,
      true,
    ])
  })

  it('turns a node into a view reading: its members resolved to inventory names, quorate when Primary', () => {
    const resolve = (a: string): string =>
      ({'198.18.2.11': 'g1', '198.18.2.12': 'g2', '198.18.2.13': 'g3'})[a] ?? a
    expect(galeraReading(server('minority-g3', 'g1'), 'g1', resolve)).toMatchObject({
      members: ['g1', 'g2'],
      quorate: true,
    })
    const g3 = galeraReading(server('minority-g3', 'g3'), 'g3', resolve)
    expect(g3.quorate).toBe(false)
    expect(g3.members).toContain('g3')
  })

  it('keeps the client’s words when a statement failed, and refuses output with no server', () => {
    const out = [
      '@@hacheck-part:begin status /run/mysqld/mysqld.sock@@',
      "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (111)",
      '@@hacheck-part:end 1@@',
      '',
    ].join('\n')
    const g = parseGalera(out)
    expect(g.servers[0]?.error).toMatch(/^status: ERROR 2002/)
    expect(g.servers[0]?.wsrepOn).toBe(false)
    expect(() => parseGalera('')).toThrow(ParseError)
  })

  it('reads Galera sizes and provider options as Galera writes them', () => {
    expect([
      galeraSize('128M'),
      galeraSize('1G'),
      galeraSize('512k'),
      galeraSize('1000'),
      galeraSize('big'),
    ]).toEqual([134217728, 1073741824, 524288, 1000, undefined])
    expect(parseProviderOptions('gcache.size = 8M; pc.weight = 3; socket.ssl = NO')).toEqual({
      'gcache.size': '8M',
      'pc.weight': '3',
      'socket.ssl': 'NO',
    })
  })
})
