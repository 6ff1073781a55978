import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  expandTokens,
  loadSshConfig,
  parseProxyJump,
  resolveEndpoint,
  type SshConfigLookup,
} from '../../../src/transport/ssh-config.js'

const ctx = {home: '/home/op', localUser: 'op'}

describe('ProxyJump values', () => {
  it('parses user, host and port of each hop, bracketed IPv6 and the none keyword', () => {
    expect(parseProxyJump('admin@bastion:2200,inner')).toEqual([
      {user: 'admin', host: 'bastion', port: 2200},
      {user: undefined, host: 'inner', port: undefined},
    ])
    expect(parseProxyJump('ssh://ops@[2001:db8::1]:22')).toEqual([
      {user: 'ops', host: '2001:db8::1', port: 22},
    ])
    expect(parseProxyJump('none')).toEqual([])
    expect(parseProxyJump(undefined)).toEqual([])
  })
})

describe('ssh config resolution', () => {
  let dir: string
  let lookup: SshConfigLookup | undefined

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hacheck-sshcfg-'))
    await writeFile(
      join(dir, 'config'),
      [
        'Host db*',
        '  HostName %h.internal',
        '  User admin',
        '  Port 2200',
        '  IdentityFile ~/.ssh/hacheck_ed25519',
        '  IdentityFile %d/.ssh/%r_key',
        '  ProxyJump jump@bastion:2201',
        '  UserKnownHostsFile ~/.ssh/kh_a ~/.ssh/kh_b',
        'Host bastion',
        '  HostName 192.0.2.10',
        'Host *',
        '  User fallback',
        '',
      ].join('\n'),
    )
    lookup = await loadSshConfig(join(dir, 'config'))
  })
  afterAll(async () => rm(dir, {recursive: true, force: true}))

  it('takes HostName, User, Port, IdentityFile, ProxyJump and known_hosts files from the config, with ~ and % tokens expanded', () => {
    const ep = resolveEndpoint('db1', {}, lookup, ctx)
    expect(ep).toMatchObject({
      alias: 'db1',
      host: 'db1.internal',
      port: 2200,
      user: 'admin',
      identityFiles: ['/home/op/.ssh/hacheck_ed25519', '/home/op/.ssh/admin_key'],
      defaultIdentities: false,
      hostKeyName: 'db1.internal',
      knownHostsFiles: ['/home/op/.ssh/kh_a', '/home/op/.ssh/kh_b'],
      proxyJump: [{user: 'jump', host: 'bastion', port: 2201}],
    })
  })

  it('lets inventory settings win over the config', () => {
    const ep = resolveEndpoint(
      'db1',
      {user: 'root', port: 22, identityFiles: ['/keys/id'], proxyJump: 'none'},
      lookup,
      ctx,
    )
    expect(ep).toMatchObject({user: 'root', port: 22, identityFiles: ['/keys/id'], proxyJump: []})
  })

  it('falls back to OpenSSH defaults: local user, port 22 and ~/.ssh/id_* keys', () => {
    const ep = resolveEndpoint('198.18.1.1', {}, undefined, ctx)
    expect(ep).toMatchObject({host: '198.18.1.1', port: 22, user: 'op', defaultIdentities: true})
    expect(ep.identityFiles).toEqual([
      '/home/op/.ssh/id_ed25519',
      '/home/op/.ssh/id_ecdsa',
      '/home/op/.ssh/id_rsa',
    ])
    expect(resolveEndpoint('web', {}, lookup, ctx).user).toBe('fallback')
  })

  it('treats a missing config file as no config', async () => {
    expect(await loadSshConfig(join(dir, 'absent'))).toBeUndefined()
  })

  it('expands the OpenSSH tokens it supports and leaves %% as one percent sign', () => {
    expect(expandTokens('~/x/%u/%h:%p/%%', {...ctx, host: 'h', port: 22})).toBe('/home/op/x/op/h:22/%')
  })
})
