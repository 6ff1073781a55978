/**
 * The CIB the lab seeds and applies live, checked by Pacemaker's own crm_verify
 * (schema and configuration) for every variant that changes it.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import type {LabSpec} from '../../../src/lab/render.js'
import {initialCib} from '../../../src/lab/render-pacemaker.js'
import {nodesOf, type VariantName} from '../../../src/lab/topology.js'

const crmVerify = (() => {
  try {
    execFileSync('crm_verify', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    console.warn('[lab cib tests] crm_verify (Debian package pacemaker-cli-utils) is not installed: skipped')
    return false
  }
})()

const spec = (variants: VariantName[]): LabSpec => ({
  profile: 'pacemaker3',
  variants,
  nodes: nodesOf('pacemaker3'),
  clusterName: 'lab',
  bmcPassword: 'not-a-real-password',
  labDir: '/var/lib/hacheck-lab',
  labBin: '/var/lib/hacheck-lab/bin',
})

const dir = mkdtempSync(join(tmpdir(), 'hacheck-cib-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/**
 * crm_verify's verdict on a CIB file: exit code and what it printed. The seeded CIB has no
 * status; give it a quorate cluster with every node a member, as on the running lab.
 */
function verify(xml: string, name: string): {code: number; out: string} {
  const file = join(dir, `${name}.xml`)
  const states = nodesOf('pacemaker3')
    .filter((n) => n.nodeid !== undefined)
    .map(
      (n) =>
        `<node_state id="${n.nodeid}" uname="${n.name}" in_ccm="true" crmd="online" join="member" expected="member"/>`,
    )
    .join('')
  writeFileSync(
    file,
    xml
      .replace('<cib ', '<cib have-quorum="1" dc-uuid="1" ')
      .replace('<status/>', `<status>${states}</status>`),
  )
  try {
    return {
      code: 0,
      out: execFileSync('crm_verify', ['-V', '--xml-file', file], {encoding: 'utf8', stdio: 'pipe'}),
    }
  } catch (e) {
    const err = e as {status?: number; stdout?: string; stderr?: string}
    return {code: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}`}
  }
}

describe.skipIf(!crmVerify)('the lab CIB', () => {
  it.each<[string, VariantName[]]>([
    ['healthy', []],
    ['stonith-disabled', ['stonith-disabled']],
    ['fence-gap', ['fence-gap']],
    ['capacity-short', ['capacity-short']],
    ['service-clone', ['service-clone']],
  ])('passes crm_verify with the %s configuration', (name, variants) => {
    const r = verify(initialCib(spec(variants)), name)
    expect(r.out).not.toMatch(/error/i)
    expect(r.code).toBe(0)
  })

  it('runs the web service once, next to the VIP, when the service is not cloned', () => {
    const xml = initialCib(spec([]))
    expect(xml).not.toContain('<clone')
    expect(xml).not.toContain('p-drain')
    expect(xml).toContain('--bind 198.18.2.100')
    expect(xml).toMatch(/<rsc_colocation id="col-web-with-vip" rsc="p-web" with-rsc="p-vip"/)
  })

  it('clones the web service on all addresses and moves only the VIP with service-clone, VIP stopped first', () => {
    const xml = initialCib(spec(['service-clone']))
    expect(xml).toMatch(/<clone id="p-web-clone">[\s\S]*<primitive id="p-web"[\s\S]*<\/clone>/)
    expect(xml).not.toContain('--bind')
    expect(xml).not.toMatch(/first="p-web-clone"/)
    expect(xml).not.toContain('p-web-utilization')
    expect(xml).toMatch(/<rsc_colocation id="col-vip-with-web" rsc="p-vip" with-rsc="p-web-clone"/)
    expect(xml).toMatch(
      /<rsc_order id="ord-vip-stops-before-web" first="p-vip" first-action="stop" then="p-web-clone" then-action="stop" symmetrical="false"/,
    )
    expect(xml).toContain('/var/lib/hacheck-lab/bin/webapp.py port=80 bind=0.0.0.0')
    // The drain runs with the VIP and is stopped before it: new SYNs dropped, then the address goes.
    expect(xml).toContain('/var/lib/hacheck-lab/bin/drain.py 198.18.2.100 80')
    expect(xml).toMatch(/<rsc_colocation id="col-drain-with-vip" rsc="p-drain" with-rsc="p-vip"/)
    expect(xml).toMatch(/<rsc_order id="ord-vip-then-drain" first="p-vip" then="p-drain"/)
  })
})
