import {describe, expect, it} from 'vitest'

import {
  agentCheck,
  bmcPasswordCheck,
  doctorReport,
  ipmitoolCheck,
  knownHostsChecks,
  nodeCheck,
  satisfiesMinimum,
  stateDirCheck,
} from '../../../src/doctor/checks.js'
import {parseInventory} from '../../../src/inventory/load.js'

const inv = parseInventory(
  `cluster: {name: t, stack: pacemaker}
nodes:
  - {name: n1, host: 198.18.2.11, roles: [cluster], bmc: {host: 198.18.3.101, user: admin, passwordEnv: T_BMC_PW}}
  - {name: n2, host: 198.18.2.12, port: 2222, roles: [cluster]}
`,
  '/t/inv.yaml',
)

describe('hacheck doctor', () => {
  it('compares the Node.js version with the engines range', () => {
    expect(satisfiesMinimum('v20.20.2', '>=20.19.0')).toBe(true)
    expect(satisfiesMinimum('v20.19.0', '>=20.19.0')).toBe(true)
    expect(satisfiesMinimum('v18.20.4', '>=20.19.0')).toBe(false)
    expect(nodeCheck('v18.20.4', '>=20.19.0')).toMatchObject({
      status: 'missing',
      fix: expect.stringMatching(/18/),
    })
  })

  it('tells an agent with keys from one without keys, a dead socket and no agent at all', () => {
    expect(agentCheck({socket: '/s', socketExists: true, sshAddExit: 0, keys: 2}).status).toBe('ok')
    expect(agentCheck({socket: '/s', socketExists: true, sshAddExit: 1, keys: 0}).detail).toMatch(
      /holds no key/,
    )
    expect(agentCheck({socket: '/s', socketExists: false, keys: 0}).detail).toMatch(/does not answer/)
    expect(agentCheck({socketExists: false, keys: 0})).toMatchObject({
      status: 'warn',
      detail: /SSH_AUTH_SOCK/,
    })
  })

  it('names every inventory node whose host key is in no known_hosts file, port included', () => {
    const files = [
      {file: '/root/.ssh/known_hosts', hosts: ['198.18.2.11', '[198.18.2.12]:22']},
      {file: '/etc/ssh/ssh_known_hosts'},
    ]
    const [c] = knownHostsChecks(files, inv)
    expect(c).toMatchObject({status: 'missing', detail: /n2 \(\[198\.18\.2\.12\]:2222\)/})
    expect(c?.detail).not.toMatch(/n1/)
    expect(
      knownHostsChecks([{file: 'k', hosts: ['198.18.2.11', '[198.18.2.12]:2222']}], inv)[0]?.status,
    ).toBe('ok')
    expect(knownHostsChecks([{file: 'k'}])[0]?.status).toBe('warn')
  })

  it('needs ipmitool only when the inventory has BMCs, and says which BMC password variables are unset', () => {
    expect(ipmitoolCheck(undefined).status).toBe('warn')
    expect(ipmitoolCheck(undefined, inv).status).toBe('missing')
    expect(ipmitoolCheck('ipmitool version 1.8.19', inv).status).toBe('ok')
    expect(bmcPasswordCheck(inv, () => false)).toMatchObject({status: 'warn', detail: /T_BMC_PW not set/})
    expect(bmcPasswordCheck(inv, () => true)?.status).toBe('ok')
  })

  it('is ready when nothing is missing, warnings allowed', () => {
    expect(doctorReport([stateDirCheck('/s'), ipmitoolCheck(undefined)]).ok).toBe(true)
    expect(doctorReport([stateDirCheck('/s', 'EACCES')]).ok).toBe(false)
  })
})
