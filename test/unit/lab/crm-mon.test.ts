/**
 * The lab's readiness parser (parseCrmMon) on real crm_mon XML from the shared
 * corpus: primitives at the top level, in groups, and every instance of a clone.
 */
import {describe, expect, it} from 'vitest'

import {parseCrmMon} from '../../../src/lab/health.js'
import {existsSync, fixtureDir, readFixture} from '../facts/fixtures.js'

const dir = fixtureDir('crm_mon-xml')
const basic = 'pacemaker-3.x-dev-basic-output.xml'

describe.skipIf(!existsSync(`${dir}/${basic}`))('parseCrmMon on pacemaker-3.x-dev-basic-output.xml', () => {
  // Parsed lazily: the body of a skipped describe still runs while collecting.
  let parsed: ReturnType<typeof parseCrmMon> | undefined
  const summary = (): ReturnType<typeof parseCrmMon> => (parsed ??= parseCrmMon(readFixture(dir, basic)))

  it('lists a top-level primitive with its node and no parent', () => {
    expect(summary().resources.find((r) => r.id === 'Fencing')).toEqual({
      id: 'Fencing',
      role: 'Started',
      node: 'cluster01',
      failed: false,
    })
  })

  it('lists every instance of a clone, each on its own node, under the clone id', () => {
    const ping = summary().resources.filter((r) => r.id === 'ping')
    expect(ping.map((r) => r.node).sort()).toEqual(['cluster01', 'cluster02'])
    expect(ping.every((r) => r.parent === 'ping-clone' && r.role === 'Started')).toBe(true)
  })

  it('lists the members of a group, and stopped instances of a disabled clone as Stopped', () => {
    expect(
      summary()
        .resources.filter((r) => r.parent === 'exim-group')
        .map((r) => r.id),
    ).toEqual(['Public-IP', 'Email'])
    const dhcpd = summary().resources.filter((r) => r.id === 'inactive-dhcpd')
    expect(dhcpd).toHaveLength(2)
    expect(dhcpd.every((r) => r.role === 'Stopped' && r.node === undefined)).toBe(true)
  })

  it('lists the groups inside a clone under the clone id', () => {
    const proxy = summary().resources.filter((r) => r.id === 'mysql-proxy')
    expect(proxy.length).toBeGreaterThan(1)
    expect(proxy.every((r) => r.parent === 'mysql-clone-group')).toBe(true)
  })

  it('reads quorum, the DC and the online nodes', () => {
    expect(summary().quorate).toBe(true)
    expect(summary().online).toEqual(expect.arrayContaining(['cluster01', 'cluster02']))
  })
})
