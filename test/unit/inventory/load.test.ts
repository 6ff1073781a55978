import {chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {InventoryError, loadInventory, parseInventory} from '../../../src/inventory/load.js'

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/inventory')
const VALID = join(FIXTURES, 'valid')
const INVALID = join(FIXTURES, 'invalid')

/** The invalid corpus: every input file has a `<file>.expected` beside it. */
const corpus = readdirSync(INVALID)
  .filter((f) => !f.endsWith('.expected'))
  .sort()

function problemsOf(text: string, file: string): string {
  try {
    parseInventory(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError)
    return (err as InventoryError).message
  }
  throw new Error(`${file} was accepted`)
}

describe('loadInventory on the example from the brief', () => {
  it('accepts it and resolves durations, paths and ssh defaults', async () => {
    const inv = await loadInventory(join(VALID, 'lab.yaml'))
    expect(inv.file).toBe(join(VALID, 'lab.yaml'))
    expect(inv.cluster).toEqual({
      name: 'lab',
      stack: 'pacemaker',
      objectives: {rtoMs: 30_000, rpoMs: 0},
      vip: '198.18.2.100',
    })
    expect(inv.networks).toEqual({
      public: '198.18.2.0/24',
      heartbeat: '198.18.1.0/24',
      management: '198.18.3.0/24',
    })
    expect(inv.nodes).toEqual([
      {
        name: 'n1',
        host: '198.18.2.11',
        roles: ['cluster'],
        ssh: {
          user: 'root',
          identityFiles: [join(VALID, 'id_lab')],
          knownHosts: [join(VALID, 'known_hosts')],
        },
        bmc: {host: '198.18.3.101', user: 'admin', passwordEnv: 'LAB_BMC_PASSWORD'},
      },
    ])
  })

  it('does not fail when the BMC password variable is unset, since only power faults need it', async () => {
    const saved = process.env.LAB_BMC_PASSWORD
    delete process.env.LAB_BMC_PASSWORD
    try {
      await expect(loadInventory(join(VALID, 'lab.yaml'))).resolves.toBeTruthy()
    } finally {
      if (saved !== undefined) process.env.LAB_BMC_PASSWORD = saved
    }
  })

  it('resolves relative paths against the inventory directory, not the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-inv-'))
    writeFileSync(join(dir, 'lab.yaml'), readFileSync(join(VALID, 'lab.yaml')))
    const inv = await loadInventory(join(dir, 'lab.yaml'))
    expect(inv.nodes[0]?.ssh.identityFiles).toEqual([join(dir, 'id_lab')])
  })
})

describe('loadInventory on every key', () => {
  it('merges ssh defaults into each node, node values winning key by key', async () => {
    const inv = await loadInventory(join(VALID, 'full.yaml'))
    const byName = Object.fromEntries(inv.nodes.map((n) => [n.name, n]))
    expect(byName.lb1?.ssh).toEqual({
      user: 'hacheck',
      port: 22,
      identityFiles: [join(VALID, 'keys/id_ed25519'), join(homedir(), '.ssh/id_rsa')],
      passphraseEnv: 'HACHECK_KEY_PASSPHRASE',
      knownHosts: [join(VALID, 'known_hosts')],
      proxyJump: 'admin@198.18.3.1',
      sudo: true,
      agent: false,
      configFile: false,
    })
    expect(byName.db1?.ssh.user).toBe('root')
    expect(byName.db1?.ssh.identityFiles).toEqual(['/etc/hacheck/id_db'])
    expect(byName.db1?.port).toBe(2222)
    expect(byName.db1?.ssh.port).toBe(2222)
    expect(byName.db1?.ssh.proxyJump).toBe('admin@198.18.3.1')
  })

  it('treats proxyJump none as no jump host, as OpenSSH does', async () => {
    const inv = await loadInventory(join(VALID, 'full.yaml'))
    const q = inv.nodes.find((n) => n.name === 'qdevice')
    expect(q?.ssh.proxyJump).toBeUndefined()
    expect(q?.ssh.port).toBe(2201)
    expect(q?.ssh.configFile).toBe(join(VALID, 'ssh_config'))
  })

  it('converts compound durations, memory sizes and label values', async () => {
    const inv = await loadInventory(join(VALID, 'full.yaml'))
    expect(inv.cluster.objectives).toEqual({rtoMs: 90_000, rpoMs: 500})
    expect(inv.cluster.peakLoad).toEqual({cpu: 6.5, memoryBytes: 48 * 2 ** 30})
    expect(inv.cluster.service).toEqual({url: 'http://198.18.2.100/health', port: 80})
    expect(inv.nodes.find((n) => n.name === 'qdevice')?.labels).toEqual({virtual: 'true', cores: '2'})
  })

  it('keeps every BMC setting', async () => {
    const inv = await loadInventory(join(VALID, 'full.yaml'))
    expect(inv.nodes.find((n) => n.name === 'db1')?.bmc).toEqual({
      host: '198.18.3.131',
      port: 6230,
      user: 'admin',
      passwordEnv: 'SHOP_BMC_PASSWORD',
      interface: 'lanplus',
      cipher: 17,
    })
  })

  it('reads JSON the same way as YAML', async () => {
    const inv = await loadInventory(join(VALID, 'lab.json'))
    expect(inv.cluster.objectives).toEqual({rtoMs: 30_000, rpoMs: 0})
    expect(inv.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'witness'])
    expect(inv.nodes[2]?.ssh.identityFiles).toEqual([join(VALID, 'id_lab')])
  })

  it('accepts YAML anchors and merge keys, with x- keys to hold the anchors', async () => {
    const inv = await loadInventory(join(VALID, 'anchors.yaml'))
    expect(inv.nodes.map((n) => n.bmc)).toEqual([
      {user: 'admin', passwordEnv: 'LAB_BMC_PASSWORD', interface: 'lanplus', host: '198.18.3.101'},
      {user: 'admin', passwordEnv: 'LAB_BMC_PASSWORD', interface: 'lanplus', host: '198.18.3.102'},
    ])
  })

  it('fills in empty roles, networks and objectives for a minimal inventory', async () => {
    const inv = await loadInventory(join(VALID, 'minimal.yaml'))
    expect(inv.networks).toEqual({})
    expect(inv.cluster.objectives).toEqual({})
    expect(inv.nodes).toEqual([{name: 'solo', host: '127.0.0.2', roles: [], ssh: {}}])
  })
})

describe('the invalid corpus', () => {
  it('has at least 20 malformed inventories, each with its expected message', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20)
    for (const f of corpus) expect(readdirSync(INVALID)).toContain(`${f}.expected`)
  })

  it.each(corpus)('rejects %s with exactly the expected one-line message', (f) => {
    const expected = readFileSync(join(INVALID, `${f}.expected`), 'utf8').trimEnd()
    const message = problemsOf(readFileSync(join(INVALID, f), 'utf8'), f)
    expect(message).toBe(expected)
    expect(message.split('\n')).toHaveLength(1)
  })

  it.each(corpus)('words the problem in %s as FILE:LINE:COL: …', (f) => {
    const message = problemsOf(readFileSync(join(INVALID, f), 'utf8'), f)
    expect(message).toMatch(new RegExp(`^${f.replace(/\./g, '\\.')}:\\d+:\\d+: \\S`))
    expect(message).not.toMatch(/must NOT|must have|must match|must be equal|instancePath|#\/definitions/)
  })

  it('never repeats a plaintext password it refuses', () => {
    for (const f of ['bmc-plaintext-password.yaml', 'ssh-plaintext-password.yaml']) {
      const message = problemsOf(readFileSync(join(INVALID, f), 'utf8'), f)
      expect(message).not.toMatch(/do-not-print/)
      expect(message).toMatch(/plaintext/)
    }
    expect(problemsOf(readFileSync(join(INVALID, 'bmc-plaintext-password.yaml'), 'utf8'), 'x')).toMatch(
      /passwordEnv/,
    )
  })
})

describe('loadInventory errors', () => {
  const tmp = (): string => mkdtempSync(join(tmpdir(), 'hacheck-inv-'))

  it('names a missing file without a stack trace', async () => {
    const err = await loadInventory('no/such/inventory.yaml').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toBe('no/such/inventory.yaml: cannot read the inventory: no such file')
  })

  it('says when the path is a directory', async () => {
    const err = await loadInventory(VALID).catch((e: unknown) => e)
    expect((err as Error).message).toBe(`${VALID}: cannot read the inventory: it is a directory, not a file`)
  })

  it.skipIf(process.getuid?.() === 0)('says when the file is unreadable', async () => {
    const f = join(tmp(), 'lab.yaml')
    writeFileSync(f, 'cluster: {}\n')
    chmodSync(f, 0o000)
    const err = await loadInventory(f).catch((e: unknown) => e)
    expect((err as Error).message).toBe(`${f}: cannot read the inventory: permission denied`)
  })

  it('lists every problem of a file, one line each, sorted by position', () => {
    // A misspelt plaintext password is still refused as one, and the passwordEnv it lacks is not reported twice.
    const text = [
      'cluster:',
      '  name: lab',
      '  stack: corosync',
      '  objectives: {rto: soon}',
      'nodes:',
      '  - name: n1',
      '    host: 198.18.2.300',
      '    roles: cluster',
      '    bmc: {host: 198.18.3.101, user: admin, pasword: x}',
    ].join('\n')
    const lines = problemsOf(text, 'lab.yaml').split('\n')
    expect(lines).toEqual([
      'lab.yaml:3:10: cluster.stack: expected one of pacemaker, generic, found "corosync"',
      'lab.yaml:4:21: cluster.objectives.rto: expected a duration such as 30s, 500ms, 2m or 1h30m, found "soon"',
      'lab.yaml:7:11: nodes[0].host: expected an IP address or host name such as 198.18.2.11 or n1.example.org, found "198.18.2.300"',
      'lab.yaml:8:12: nodes[0].roles: expected a list of roles such as [cluster] or [lb, app], found "cluster"',
      'lab.yaml:9:44: nodes[0].bmc.pasword: plaintext passwords are not allowed in the inventory: export the password in an environment variable and name that variable with passwordEnv (e.g. passwordEnv: LAB_BMC_PASSWORD)',
    ])
  })

  it('keeps the InventoryError problems structured for --json', () => {
    try {
      parseInventory('cluster: {name: lab, stack: pacemaker}\nnodes: []\n', 'lab.yaml')
      expect.unreachable()
    } catch (err) {
      expect((err as InventoryError).problems).toEqual([
        {
          line: 2,
          col: 8,
          path: 'nodes',
          message: 'expected a list of nodes (each with name, host and roles), found an empty list',
        },
      ])
      expect((err as InventoryError).exit).toBe(2)
    }
  })

  it('accepts two nodes on one address when their SSH ports differ', () => {
    const inv = parseInventory(
      [
        'cluster: {name: lab, stack: generic}',
        'nodes:',
        '  - {name: a, host: 127.0.0.1, port: 2201}',
        '  - {name: b, host: 127.0.0.1, port: 2202}',
      ].join('\n'),
      join(tmp(), 'lab.yaml'),
    )
    expect(inv.nodes.map((n) => n.port)).toEqual([2201, 2202])
  })

  it('suggests the camelCase key for snake_case spellings', () => {
    const text =
      'cluster: {name: lab, stack: generic}\nssh: {identity_file: k}\nnodes: [{name: a, host: 127.0.0.1}]\n'
    expect(problemsOf(text, 'lab.yaml')).toBe(
      'lab.yaml:2:7: ssh.identity_file: unknown key "identity_file" (did you mean "identityFile"?)',
    )
  })

  it('lists the allowed keys when nothing is close', () => {
    const text = 'cluster: {name: lab, stack: generic, owner: ops}\nnodes: [{name: a, host: 127.0.0.1}]\n'
    expect(problemsOf(text, 'lab.yaml')).toBe(
      'lab.yaml:1:38: cluster.owner: unknown key "owner" (expected one of: name, stack, objectives, vip, service, peakLoad, tls, database)',
    )
  })

  it('finds positions in JSON files too', () => {
    const text =
      '{\n  "cluster": {"name": "lab", "stack": "generic"},\n  "nodes": [{"name": "a", "host": "127.0.0.1", "port": 0}]\n}\n'
    expect(problemsOf(text, 'lab.json')).toBe(
      'lab.json:3:56: nodes[0].port: expected a port number between 1 and 65535, found 0',
    )
  })

  it('reports a truncated JSON file at its end', () => {
    expect(problemsOf('{"cluster": {"name": "lab"', 'lab.json')).toBe(
      "lab.json:1:27: JSON syntax error: expected ',' or '}', found the end of the file",
    )
  })

  it('ignores a byte-order mark and Windows line endings when counting lines and columns', () => {
    const crlf =
      'cluster: {name: lab, stack: generic}\r\nnodes:\r\n  - {name: a, host: 127.0.0.1, port: 0}\r\n'
    expect(problemsOf(crlf, 'lab.yaml')).toBe(
      'lab.yaml:3:38: nodes[0].port: expected a port number between 1 and 65535, found 0',
    )
    expect(problemsOf(`\ufeff${crlf}`, 'lab.yaml')).toBe(
      'lab.yaml:3:38: nodes[0].port: expected a port number between 1 and 65535, found 0',
    )
    const json =
      '\ufeff{"cluster": {"name": "lab", "stack": "generic"}, "nodes": [{"name": "a", "host": "127.0.0.1"}]}'
    expect(parseInventory(json, 'lab.json').nodes[0]?.host).toBe('127.0.0.1')
  })

  it('reads a flow-style YAML file that starts with { as YAML', () => {
    const inv = parseInventory(
      '{cluster: {name: lab, stack: generic}, nodes: [{name: a, host: 127.0.0.1}]}',
      'lab.yaml',
    )
    expect(inv.nodes[0]?.name).toBe('a')
  })

  it('caps a very long list of problems', () => {
    const nodes = Array.from({length: 80}, (_, i) => `  - {name: n${i}, host: 198.18.2.${i + 1}, port: 0}`)
    const lines = problemsOf(
      ['cluster: {name: lab, stack: generic}', 'nodes:', ...nodes].join('\n'),
      'big.yaml',
    ).split('\n')
    expect(lines).toHaveLength(51)
    expect(lines[50]).toBe('big.yaml: … and 30 more problems')
  })
})
