/**
 * Verify steps judged from facts parsed by src/facts/ (evacuate's standby, link-down's link state,
 * netem's qdisc), on verbatim captured output: lab captures (examples/), the shared corpus, and
 * this machine's own tc.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {describeHolds, judgeHolds} from '../../../src/chaos/plan/holds.js'
import {fixturesDir, haveShared, repoRoot, sharedFixturesDir} from '../../support/paths.js'

const example = (cap: string, node: string, file: string): string =>
  readFileSync(join(repoRoot, 'examples', cap, node, file), 'utf8')

describe('verify steps over parsed facts', () => {
  it('crm_mon: a node online and not in standby holds; standby with no resource does not', () => {
    const xml = example('lab-healthy', 'n1', 'crm-mon.out')
    expect(judgeHolds({fact: 'crm-mon', node: 'n1', online: true, standby: false}, xml)).toEqual({ok: true})
    const r = judgeHolds({fact: 'crm-mon', node: 'n1', standby: true, resourcesRunning: 0}, xml)
    expect(r).toMatchObject({
      ok: false,
      // resources_running is named too when n1 runs any (the capture's VIP holder changes when it is re-taken).
      why: expect.stringMatching(/^crm_mon shows n1 with standby=false(, resources_running=[1-9]\d*)?$/),
    })
    expect(judgeHolds({fact: 'crm-mon', node: 'n9', online: true}, xml)).toEqual({
      ok: false,
      why: 'crm_mon does not list node n9',
    })
  })

  it('ip addr: the link state as the UP flag says', () => {
    const json = example('lab-healthy', 'n1', 'ip-addr.out')
    expect(judgeHolds({fact: 'ip-addr', ifname: 'eth1', up: true}, json)).toEqual({ok: true})
    expect(judgeHolds({fact: 'ip-addr', ifname: 'eth1', up: false}, json)).toEqual({
      ok: false,
      why: 'eth1 is up',
    })
  })

  it.skipIf(!haveShared)('ip addr: a link that is down (shared corpus; skipped without ../shared)', () => {
    const file = join(sharedFixturesDir, 'ip-json', 'cloud-init-ip-j-p-addr-show-down.json')
    expect(existsSync(file)).toBe(true)
    const json = readFileSync(file, 'utf8')
    expect(judgeHolds({fact: 'ip-addr', ifname: 'eth0', up: false}, json)).toEqual({ok: true})
    expect(judgeHolds({fact: 'ip-addr', ifname: 'eth0', up: true}, json)).toEqual({
      ok: false,
      why: 'eth0 is down',
    })
  })

  it('tc qdisc: no netem root on an interface with the default qdisc', () => {
    const json = readFileSync(join(fixturesDir, 'outputs', 'tc-qdisc', 'controller-lo-noqueue.json'), 'utf8')
    const netem = {fact: 'tc-qdisc', dev: 'lo', handle: '4843:', kind: 'netem'} as const
    expect(judgeHolds({...netem, root: false}, json)).toEqual({ok: true})
    expect(judgeHolds({...netem, root: true}, json)).toEqual({
      ok: false,
      why: 'the root qdisc of lo is noqueue 0:',
    })
  })

  it('output that is not the tool’s never holds, whatever is asked', () => {
    for (const text of ['', 'Error: Cannot find device "eth9"', '<not-xml', '{"a":1}']) {
      expect(judgeHolds({fact: 'crm-mon', node: 'n1', online: false}, text).ok).toBe(false)
      expect(judgeHolds({fact: 'ip-addr', ifname: 'eth1', up: false}, text).ok).toBe(false)
      expect(
        judgeHolds({fact: 'tc-qdisc', dev: 'lo', handle: '4843:', kind: 'netem', root: false}, text).ok,
      ).toBe(false)
    }
  })

  it('say what they check and which parser reads it', () => {
    expect(describeHolds({fact: 'crm-mon', node: 'n1', standby: true, resourcesRunning: 0})).toBe(
      'crm_mon (src/facts/crm-mon.ts) shows node n1 with standby=true, resources_running=0',
    )
  })
})
