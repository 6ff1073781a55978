/**
 * lb-drain's plan (pure), and its verify steps judged on this machine by the haproxy-runtime parser
 * (src/facts/) over verbatim `show stat` captures of the lab's web profile, never by grep on the LB.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import lbDrain from '../../../src/chaos/faults/lb-drain.js'
import {describeHolds, judgeHolds, type Holds} from '../../../src/chaos/plan/holds.js'
import type {NodeStep} from '../../../src/chaos/plan/types.js'
import {fixturesDir} from '../../support/paths.js'
import {okPlan, planInput, planOf} from './fixtures.js'

const capture = (file: string): string =>
  readFileSync(join(fixturesDir, 'outputs', 'haproxy-runtime', file), 'utf8')

const be = (server: string): {backend: string; server: string} => ({backend: 'be_app', server})

describe('lb-drain', () => {
  const targets = [
    {lb: 'n1', backend: 'be_app', server: 'app2'},
    {lb: 'n2', backend: 'be_app', server: 'app2'},
  ]

  it('verifies maintenance and its removal from show stat through the parser, one step per LB', () => {
    const plan = okPlan(planOf(lbDrain, 'n3', {}, planInput(), {looked: targets}))
    const verify = plan.verify as NodeStep[]
    expect(verify.map((s) => s.node)).toEqual(['n1', 'n2'])
    for (const s of verify) {
      // The node only prints show stat (nothing reads it there): it ends with the socat that asks for it.
      expect(s.script).toMatch(/echo 'show stat' \| socat -t 2 stdio "UNIX-CONNECT:\$s"$/)
      expect(s.script).not.toMatch(/grep/)
      expect(s.holds).toEqual({fact: 'haproxy-stat', servers: [be('app2')], status: ['MAINT'], is: true})
    }
    const after = plan.verifyReverted as NodeStep[]
    expect(after.map((s) => s.holds)).toEqual([
      {fact: 'haproxy-stat', servers: [be('app2')], status: ['MAINT', 'DRAIN'], is: false},
      {fact: 'haproxy-stat', servers: [be('app2')], status: ['MAINT', 'DRAIN'], is: false},
    ])
    expect(plan.deadmen.map((d) => d.kind === 'node' && d.node)).toEqual(['n1', 'n2'])
    expect(plan.defaultExpectations).toContain('failed-probes == 0')
  })

  it('refuses an app node no LB has a server for', () => {
    const r = planOf(lbDrain, 'n3', {}, planInput(), {looked: []})
    expect(!r.ok && r.reason).toBe('no HAProxy backend server on the LB nodes has the address of n3')
  })
})

describe('haproxy-stat verify over captured show stat', () => {
  const maint: Holds = {fact: 'haproxy-stat', servers: [be('app2')], status: ['MAINT'], is: true}
  const notDrained: Holds = {
    fact: 'haproxy-stat',
    servers: [be('app1'), be('app2')],
    status: ['MAINT', 'DRAIN'],
    is: false,
  }

  it('a server that is UP or DOWN is not in maintenance, and the reason names its status', () => {
    expect(judgeHolds(maint, capture('healthy.txt'))).toEqual({
      ok: false,
      why: 'show stat: be_app/app2 is UP',
    })
    expect(judgeHolds(maint, capture('app2-down.txt'))).toEqual({
      ok: false,
      why: 'show stat: be_app/app2 is DOWN',
    })
  })

  it('servers neither in maintenance nor in drain hold the revert check', () => {
    expect(judgeHolds(notDrained, capture('healthy.txt'))).toEqual({ok: true})
    expect(judgeHolds(notDrained, capture('app2-down.txt'))).toEqual({ok: true})
  })

  it('a server that show stat does not list never holds, and output that is not show stat is an error', () => {
    const gone: Holds = {...notDrained, servers: [be('app9')]}
    expect(judgeHolds(gone, capture('healthy.txt'))).toEqual({
      ok: false,
      why: 'show stat: be_app/app9 is not listed',
    })
    expect(judgeHolds(maint, 'Unknown command\n')).toMatchObject({ok: false, why: /^cannot read the output/})
  })

  it('says what it checks for --dry-run', () => {
    expect(describeHolds(notDrained)).toBe(
      'show stat (src/facts/haproxy-runtime.ts) shows be_app/app1, be_app/app2 not MAINT or DRAIN',
    )
  })
})
