import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {
  ansibleFailure,
  expandHostPattern,
  findOnPath,
  fromAnsibleListJson,
  parseAnsibleIni,
  parseAnsibleText,
} from '../../../src/inventory/ansible.js'
import {convertAnsible, importAnsible, roleForGroup} from '../../../src/inventory/import.js'
import {loadInventory} from '../../../src/inventory/load.js'

const DIR = resolve(import.meta.dirname, '../../fixtures/inventory/ansible')
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8')

/** The three operator inventories, the cluster name and --user given, and the golden result beside each. */
const CASES = [
  {source: 'hosts.ini', name: 'shop', user: undefined},
  {source: 'hosts.yml', name: 'billing', user: undefined},
  {source: 'edge.ini', name: 'edge', user: 'ops'},
] as const

const hasAnsibleInventory = findOnPath('ansible-inventory') !== undefined

describe('expandHostPattern', () => {
  it('expands numeric ranges, keeping leading zeros', () => {
    expect(expandHostPattern('web[01:03].shop.example')).toEqual([
      'web01.shop.example',
      'web02.shop.example',
      'web03.shop.example',
    ])
    expect(expandHostPattern('node[1:3]')).toEqual(['node1', 'node2', 'node3'])
  })

  it('expands letter ranges, steps and several ranges in one name', () => {
    expect(expandHostPattern('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c'])
    expect(expandHostPattern('n[0:8:4]')).toEqual(['n0', 'n4', 'n8'])
    expect(expandHostPattern('r[1:2]n[a:b]')).toEqual(['r1na', 'r1nb', 'r2na', 'r2nb'])
  })

  it('leaves plain names alone and refuses ranges it cannot read', () => {
    expect(expandHostPattern('lb1')).toEqual(['lb1'])
    expect(() => expandHostPattern('n[3:1]')).toThrow(/the range is empty/)
    expect(() => expandHostPattern('n[a:10]')).toThrow(InputError)
  })
})

describe('roleForGroup', () => {
  it('maps the documented group names to known roles', () => {
    const table: Record<string, string> = {
      loadbalancers: 'lb',
      haproxy: 'lb',
      lb: 'lb',
      postgres: 'db',
      db: 'db',
      databases: 'db',
      pacemaker: 'cluster',
      ha: 'cluster',
      cluster: 'cluster',
      webservers: 'app',
      qdevice: 'witness',
      logging: 'log',
      monitoring: 'monitor',
    }
    for (const [group, role] of Object.entries(table)) expect(roleForGroup(group), group).toBe(role)
  })

  it('matches a group on one of its words', () => {
    expect(roleForGroup('db_servers')).toBe('db')
    expect(roleForGroup('prod_lb')).toBe('lb')
    expect(roleForGroup('ha-cluster')).toBe('cluster')
  })

  it('keeps any other group as a role of its own name, and gives all and ungrouped none', () => {
    expect(roleForGroup('dc1')).toBe('dc1')
    expect(roleForGroup('Rack_A')).toBe('rack_a')
    expect(roleForGroup('all')).toBeUndefined()
    expect(roleForGroup('ungrouped')).toBeUndefined()
  })
})

describe('the built-in INI parser', () => {
  it('reads groups, children, ranges, host:port and group vars like ansible-inventory --list', () => {
    const list = parseAnsibleIni(read('hosts.ini'), 'hosts.ini')
    expect(list.groups.all?.children).toEqual([
      'ungrouped',
      'loadbalancers',
      'postgres',
      'webservers',
      'logging',
      'ha',
    ])
    expect(list.groups.ha?.children).toEqual(['pacemaker', 'qdevice'])
    expect(list.groups.postgres?.hosts).toEqual(['node1', 'node2', 'node3'])
    expect(list.groups.webservers?.hosts).toEqual(['app-a.shop.example', 'app-b.shop.example'])
    expect(list.hostvars['198.18.2.40']).toEqual({
      ansible_user: 'hacheck',
      ansible_ssh_private_key_file: 'keys/id_hacheck',
      ansible_port: 2200,
    })
    expect(list.hostvars.node2).toEqual({
      ansible_user: 'hacheck',
      ansible_ssh_private_key_file: 'keys/id_hacheck',
      ansible_become: 'true',
      ansible_host: '198.18.2.12',
      ansible_port: 2222,
    })
    // Host vars beat group vars.
    expect(list.hostvars['witness.shop.example']?.ansible_user).toBe('root')
  })

  it('puts hosts listed before any section in ungrouped', () => {
    const list = parseAnsibleIni(read('edge.ini'), 'edge.ini')
    expect(list.groups.ungrouped?.hosts).toEqual(['198.18.3.5'])
    expect(list.hostvars.edge1?.ansible_ssh_common_args).toBe('-o ProxyJump=jump@198.18.3.1')
  })

  it('names the file and line of a host line it cannot read', () => {
    expect(() => parseAnsibleIni(read('broken.ini'), 'broken.ini')).toThrow(
      'broken.ini:3: expected key=value, found "ansible_host"',
    )
    expect(() => parseAnsibleIni('[db\nx\n', 'h.ini')).toThrow(/h\.ini:1: expected a section/)
    expect(() => parseAnsibleIni('[db]\nx a="b\n', 'h.ini')).toThrow(/h\.ini:2: unterminated quote/)
  })
})

describe('the built-in YAML parser', () => {
  it('reads all/children/hosts/vars with child group vars beating parent vars', () => {
    const list = parseAnsibleText(read('hosts.yml'), 'hosts.yml')
    expect(list.groups.ha_cluster?.children).toEqual(['db_servers'])
    expect(list.groups.monitoring?.hosts).toEqual(['mon01.billing.example', 'mon02.billing.example'])
    expect(list.hostvars.db1).toEqual({
      ansible_user: 'postgres',
      ansible_ssh_private_key_file: '~/.ssh/id_postgres',
      ansible_host: '198.18.2.31',
      ansible_port: 2222,
    })
    expect(list.hostvars.lb1).toEqual({ansible_user: 'hacheck', ansible_host: '198.18.2.21'})
  })

  it('refuses keys that are not hosts, vars or children', () => {
    expect(() => parseAnsibleText('all:\n  host:\n    a: {}\n', 'x.yml')).toThrow(
      'x.yml: all: unknown key "host" (expected hosts, vars or children)',
    )
  })
})

describe('convertAnsible with the built-in parser', () => {
  it.each(CASES)('turns $source into the reviewed hacheck inventory', async ({source, name, user}) => {
    const output = join(DIR, `${source}.hacheck.yaml`)
    const res = await importAnsible({source: join(DIR, source), output, name, user, parser: 'builtin'})
    expect(res.parser).toBe('builtin')
    expect(res.yaml).toBe(read(`${source}.hacheck.yaml`))
  })

  it.each(CASES)('produces, from $source, a file that itself validates', async ({source}) => {
    const inv = await loadInventory(join(DIR, `${source}.hacheck.yaml`))
    expect(inv.nodes.length).toBeGreaterThan(0)
  })

  it('maps groups to roles, honours ansible_host/port/user/key and hoists shared settings', async () => {
    const inv = await loadInventory(join(DIR, 'hosts.ini.hacheck.yaml'))
    const n = Object.fromEntries(inv.nodes.map((x) => [x.name, x]))
    expect(n.node2).toMatchObject({host: '198.18.2.12', port: 2222, roles: ['cluster', 'db']})
    expect(n.node2?.ssh).toEqual({user: 'hacheck', port: 2222, identityFiles: [join(DIR, 'keys/id_hacheck')]})
    expect(n['witness.shop.example']?.ssh.user).toBe('root')
    expect(n['witness.shop.example']?.roles).toEqual(['cluster', 'witness'])
    expect(n['198.18.2.40']).toMatchObject({host: '198.18.2.40', port: 2200, roles: ['log']})
    expect(n.lb1?.roles).toEqual(['lb'])
    expect(inv.cluster.stack).toBe('pacemaker')
  })

  it('warns about passwords and templates instead of copying them', async () => {
    const res = await importAnsible({source: join(DIR, 'edge.ini'), name: 'edge', parser: 'builtin'})
    expect(res.warnings).toEqual([
      'host w1: ansible_password ignored: hacheck never stores passwords; use a key or ssh-agent',
      "host w2: ansible_host {{ lookup('env', 'W2_ADDR') }} is a template hacheck cannot render; using w2",
    ])
    expect(res.yaml).not.toContain('hunter2')
    expect(res.inventory.cluster.stack).toBe('generic')
  })

  it('writes absolute key paths when the result goes to stdout', async () => {
    const res = await importAnsible({source: join(DIR, 'hosts.ini'), name: 'shop', parser: 'builtin'})
    expect(res.yaml).toContain(`identityFile: ${join(DIR, 'keys/id_hacheck')}`)
  })

  it('derives the cluster name from the file, or its directory for a generic name like hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-import-'))
    writeFileSync(join(dir, 'prod-shop.ini'), '[db]\ndb1 ansible_host=198.18.2.31\n')
    const named = await importAnsible({source: join(dir, 'prod-shop.ini'), parser: 'builtin'})
    expect(named.inventory.cluster.name).toBe('prod-shop')
    const generic = await importAnsible({source: join(DIR, 'hosts.ini'), parser: 'builtin'})
    expect(generic.inventory.cluster.name).toBe('ansible')
  })

  it('refuses an Ansible inventory whose import would not validate, saying why', () => {
    const list = fromAnsibleListJson({
      _meta: {hostvars: {a: {ansible_host: '198.18.2.9'}, b: {ansible_host: '198.18.2.9'}}},
      all: {children: ['ungrouped']},
      ungrouped: {hosts: ['a', 'b']},
    })
    expect(() => convertAnsible(list, {source: 'dup.ini', name: 'dup'})).toThrow(
      [
        'dup.ini: the imported inventory would not be valid:',
        'dup.ini (imported):14:11: nodes[1].host: expected a host (and port) no other node uses, found "198.18.2.9" again (nodes[0], line 10)',
      ].join('\n'),
    )
  })

  it('refuses a bad ansible_port and an inventory without hosts', () => {
    const list = fromAnsibleListJson({
      _meta: {hostvars: {a: {ansible_port: 'ssh'}}},
      ungrouped: {hosts: ['a']},
    })
    expect(() => convertAnsible(list, {source: 'p.ini'})).toThrow(
      'p.ini: host a: ansible_port "ssh" is not a port number',
    )
    expect(() => convertAnsible(fromAnsibleListJson({all: {children: []}}), {source: 'e.ini'})).toThrow(
      'e.ini: no hosts found in the Ansible inventory',
    )
  })
})

describe('ansibleFailure', () => {
  it("keeps the sentence that names the line, across ansible-inventory's 80-column wrapping", () => {
    const stderr = [
      '[WARNING]:  * Failed to parse',
      '/srv/inv/broken.ini with ini plugin:',
      '/srv/inv/broken.ini:3: Expected key=value',
      'host variable assignment, got: ansible_host',
      '[WARNING]: Unable to parse',
      '/srv/inv/broken.ini as an inventory source',
      'ERROR! No inventory was parsed, please check your configuration and options.',
    ].join('\n')
    expect(ansibleFailure(stderr)).toBe(
      '/srv/inv/broken.ini:3: Expected key=value host variable assignment, got: ansible_host',
    )
  })
})

const NO_ANSIBLE = 'ansible-inventory is not on the PATH (Debian: apt-get install ansible-core)'

describe('convertAnsible through the real ansible-inventory', () => {
  it.for(CASES)(
    'gives, for $source, exactly what the built-in parser gives',
    async ({source, name, user}, ctx) => {
      if (!hasAnsibleInventory) ctx.skip(NO_ANSIBLE)
      const output = join(DIR, `${source}.hacheck.yaml`)
      const res = await importAnsible({
        source: join(DIR, source),
        output,
        name,
        user,
        parser: 'ansible-inventory',
      })
      expect(res.parser).toBe('ansible-inventory')
      expect(res.yaml).toBe(read(`${source}.hacheck.yaml`))
    },
  )

  it('reports the line ansible-inventory could not parse', async (ctx) => {
    if (!hasAnsibleInventory) ctx.skip(NO_ANSIBLE)
    const err = await importAnsible({source: join(DIR, 'broken.ini'), parser: 'ansible-inventory'}).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toBe(
      `${join(DIR, 'broken.ini')}: ansible-inventory could not read it: ${join(DIR, 'broken.ini')}:3: Expected key=value host variable assignment, got: ansible_host`,
    )
  })

  it('is what the auto parser picks when it is installed', async (ctx) => {
    if (!hasAnsibleInventory) ctx.skip(NO_ANSIBLE)
    const res = await importAnsible({source: join(DIR, 'hosts.yml'), name: 'billing'})
    expect(res.parser).toBe('ansible-inventory')
  })

  it('makes --parser ansible-inventory fail clearly when it is missing', async (ctx) => {
    if (hasAnsibleInventory) ctx.skip('ansible-inventory is installed here')
    await expect(
      importAnsible({source: join(DIR, 'hosts.yml'), parser: 'ansible-inventory'}),
    ).rejects.toThrow('ansible-inventory is not installed (Debian: apt-get install ansible-core)')
  })
})
