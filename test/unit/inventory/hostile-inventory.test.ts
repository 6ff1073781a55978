/**
 * The inventory validation contract against hostile and mistaken input:
 * addresses compared in canonical form, referenced files that must be files,
 * secret-looking content never echoed, a size limit instead of a long parse.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {MAX_INPUT_BYTES} from '../../../src/cli/files.js'
import {canonicalAddress} from '../../../src/core/address.js'
import {loadInventory, parseInventory} from '../../../src/inventory/load.js'
import {strangerKeys} from '../../../src/inventory/messages.js'
import {referencedFiles} from '../../../src/inventory/referenced.js'

const dir = mkdtempSync(join(tmpdir(), 'hacheck-hostile-inv-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const inv = (nodes: string, cluster = ''): string =>
  `cluster: {name: c, stack: pacemaker${cluster}}\nnodes:\n${nodes}`
const problems = (text: string): string => {
  try {
    parseInventory(text, join(dir, 'i.yaml'))
    return ''
  } catch (err) {
    return (err as Error).message
  }
}

describe('addresses in the inventory', () => {
  it('have one canonical spelling: IPv6 however written, IPv4-mapped as IPv4, names in lower case', () => {
    expect(canonicalAddress('2001:DB8:0:0:0::1')).toBe('2001:db8::1')
    expect(canonicalAddress('::ffff:198.18.2.11')).toBe('198.18.2.11')
    expect(canonicalAddress('::FFFF:c612:20b')).toBe('198.18.2.11')
    expect(canonicalAddress('Node1.Example.')).toBe('node1.example')
  })

  it('refuse the same IPv6 node written two ways', () => {
    const text = inv(
      '  - {name: a, host: "2001:db8::11", roles: [cluster]}\n  - {name: b, host: "2001:DB8:0:0:0:0:0:11", roles: [cluster]}\n',
    )
    expect(problems(text)).toMatch(/nodes\[1\]\.host: expected a host \(and port\) no other node uses/)
  })

  it('refuse a VIP that is a node address in IPv4-mapped form', () => {
    const text = inv('  - {name: a, host: 198.18.2.11, roles: [cluster]}\n', ', vip: "::ffff:198.18.2.11"')
    expect(problems(text)).toMatch(/cluster\.vip: expected an address no node uses as its own host/)
  })
})

describe('files the inventory names', () => {
  it('are an error when a directory and a warning that names the other controller when missing', () => {
    mkdirSync(join(dir, 'keys.d'))
    writeFileSync(join(dir, 'known_hosts'), '')
    const text = inv(
      '  - {name: a, host: 198.18.2.11, roles: [cluster], ssh: {identityFile: keys.d, knownHosts: known_hosts}}\n' +
        '  - {name: b, host: 198.18.2.12, roles: [cluster], ssh: {identityFile: missing_key}}\n',
    )
    const found = referencedFiles(parseInventory(text, join(dir, 'i.yaml')))
    expect(found).toEqual([
      {
        severity: 'error',
        path: 'nodes[0].ssh.identityFile[0]',
        message: expect.stringMatching(/keys\.d is a directory; expected a file/),
      },
      {
        severity: 'warning',
        path: 'nodes[1].ssh.identityFile[0]',
        message: expect.stringMatching(
          /missing_key does not exist on this machine \(fine only if the audit runs on another controller/,
        ),
      },
    ])
  })
})

describe('a file that is not an inventory', () => {
  it('is refused without echoing its secret-looking lines (a shadow file, a private key)', async () => {
    const hash = '$6$rounds=5000$saltsaltsalt$Zk3l2m1n0o9p8q7r6s5t4u3v2w1x0yZk3l2m1n0o9p8q7r6s5t4u3v2w1x0y'
    writeFileSync(join(dir, 'shadow'), `root:${hash}:19000:0:99999:7:::\n`)
    writeFileSync(
      join(dir, 'id_key'),
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n',
    )
    const shadow = await loadInventory(join(dir, 'shadow')).catch((e: Error) => e.message)
    expect(shadow).toMatch(/found a mapping with none of its keys \(1 key, not shown/)
    expect(shadow).not.toContain('Zk3l2m1n0o9p8q7r6s5t4u3v2w1x0y')
    const key = await loadInventory(join(dir, 'id_key')).catch((e: Error) => e.message)
    expect(key).toMatch(/found text (of \d+ characters )?\(<?not shown/)
    expect(key).not.toContain('b3BlbnNzaC1rZXkt')
  })

  it('is refused without echoing any of it when it is plain text or a mapping of other keys (a note, /proc/self/environ, an .env)', async () => {
    writeFileSync(join(dir, 'note'), 'remember to rotate the backup key on friday\n')
    writeFileSync(join(dir, 'env'), 'DB_HOST: db.internal\nDB_USER: app\n')
    for (const f of ['note', 'env', '/proc/self/environ']) {
      const msg = await loadInventory(f.startsWith('/') ? f : join(dir, f)).catch((e: Error) => e.message)
      expect(msg).toMatch(/expected an inventory \(a mapping with cluster and nodes\), found .*not shown/)
      for (const leak of ['rotate the backup', 'DB_HOST', 'db.internal', 'PATH='])
        expect(msg).not.toContain(leak)
    }
  })

  it('is told from a file with typos: some other file has no expected key and one key not even a typo of one', () => {
    expect(strangerKeys(['SECRET_NAME', 'DB_USER'], ['user', 'format'], 'a config')).toMatch(
      /^expected a config, found a mapping with none of its keys \(2 keys, not shown/,
    )
    expect(strangerKeys(['formt'], ['user', 'format'], 'a config')).toBeUndefined()
    expect(strangerKeys(['format', 'SECRET_NAME'], ['user', 'format'], 'a config')).toBeUndefined()
  })

  it('over the documented size limit is refused at once, naming the limit', async () => {
    const big = join(dir, 'big.yaml')
    writeFileSync(big, `# ${'x'.repeat(MAX_INPUT_BYTES)}\n`)
    await expect(loadInventory(big)).rejects.toThrow(/over the 5\.0 MiB limit for this kind of file/)
  })
})
