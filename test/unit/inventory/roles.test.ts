import {describe, expect, it} from 'vitest'

import {rolesOf} from '../../../src/audit/engine.js'
import {catalog} from '../../../src/checks/index.js'
import {roleForGroup} from '../../../src/inventory/import.js'
import {lintInventory, networksNamed} from '../../../src/inventory/lint.js'
import {InventoryError, parseInventory} from '../../../src/inventory/load.js'
import {KNOWN_ROLES, meantRole} from '../../../src/inventory/roles.js'

const inventory = (roles: string, networks = ''): string =>
  `cluster: {name: t, stack: pacemaker}\n${networks}nodes:\n  - {name: n1, host: 198.18.2.11, roles: ${roles}}\n`

function problems(text: string): string[] {
  try {
    parseInventory(text, 'inv.yaml')
    return []
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError)
    return (err as InventoryError).problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`)
  }
}

describe('inventory roles', () => {
  it('knows every role a check is scoped to', () => {
    const used = new Set([...catalog().values()].flatMap((c) => rolesOf(c)))
    for (const r of used) expect(KNOWN_ROLES, r).toContain(r)
  })

  it('takes a typo or another name of a known role for that role, and leaves a site role alone', () => {
    expect(meantRole('clustr')).toBe('cluster')
    expect(meantRole('database')).toBe('db')
    expect(meantRole('loadbalancer')).toBe('lb')
    expect(meantRole('witnes')).toBe('witness')
    expect(meantRole('cluster')).toBeUndefined()
    expect(meantRole('dc1')).toBeUndefined()
    expect(meantRole('kafka')).toBeUndefined()
  })

  it('refuses a misspelt role with its line, column and "did you mean"', () => {
    expect(problems(inventory('[cluster, clustr]'))).toEqual([
      '3:52 nodes[0].roles[1]: unknown role "clustr" (did you mean "cluster"?): a node without the cluster role is left out of every cluster check',
    ])
    expect(problems(inventory('[cluster, dc1]'))).toEqual([])
  })

  it('imports a near-miss group name as the known role, so the import validates', () => {
    expect(roleForGroup('clusters')).toBe('cluster')
    expect(roleForGroup('clustr')).toBe('cluster')
    expect(roleForGroup('kafka')).toBe('kafka')
  })
})

describe('inventory against the checks', () => {
  const checks = [
    {id: 'heartbeat.separate-interface', params: {publicNetwork: 'public'}, roles: ['cluster']},
    {id: 'x.other', params: {minDays: 30}, roles: ['cluster']},
  ]

  it('finds the networks checks read in their *Network parameters', () => {
    expect([...networksNamed(checks)]).toEqual([
      ['public', ['heartbeat.separate-interface reads (param publicNetwork)']],
    ])
  })

  it('makes a near-miss network name an error, an absent one a warning, and notes a site role', () => {
    const typo = parseInventory(inventory('[cluster]', 'networks: {publc: 198.18.2.0/24}\n'), 'i.yaml')
    expect(lintInventory(typo, checks)).toEqual([
      {
        severity: 'error',
        path: 'networks.publc',
        message:
          'expected the network name "public", which heartbeat.separate-interface reads (param publicNetwork), found "publc" (did you mean "public"?)',
      },
    ])
    const absent = parseInventory(
      inventory('[cluster, dc1]', 'networks: {heartbeat: 198.18.1.0/24}\n'),
      'i.yaml',
    )
    expect(lintInventory(absent, checks).map((f) => `${f.severity} ${f.message}`)).toEqual([
      'warning no network "public", which heartbeat.separate-interface reads (param publicNetwork); defined: heartbeat',
      'note role "dc1" (n1) is used by no check; known roles: cluster, lb, app, db, witness, log, monitor, galera, patroni, etcd, session',
    ])
    const ok = parseInventory(inventory('[cluster]', 'networks: {public: 198.18.2.0/24}\n'), 'i.yaml')
    expect(lintInventory(ok, checks)).toEqual([])
  })
})
