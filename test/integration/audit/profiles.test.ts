/**
 * `hacheck audit` on the lab's other topologies: a 2-node cluster with a
 * qnetd witness and a 2-node cluster without one. Each profile is a rebuild of
 * the one shared lab. (The web tier: test/integration/web/.)
 */

import {afterAll, describe, expect, it} from 'vitest'

import type {AuditRun} from '../../../src/core/results.js'
import {audit} from './run-audit.js'
import {ensureLab, labContext, labTitle} from '../lab/helpers.js'

const status = (r: AuditRun, id: string, node?: string): string[] =>
  r.results.filter((x) => x.id === id && (node === undefined || x.node === node)).map((x) => x.status)
const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck audit on the other lab profiles'), () => {
  afterAll(async () => {
    await ensureLab()
  })

  it('passes quorum with a qnetd witness connected from both nodes of a two-node cluster', async () => {
    const s = await ensureLab('pacemaker2-qdevice')
    const {report} = await audit(s.inventory as string)
    expect(status(report, 'quorum.votes')).toEqual(['pass'])
    expect(status(report, 'quorum.witness')).toEqual(['pass', 'pass'])
    expect(status(report, 'quorum.runtime')).toEqual(['pass'])
  })

  it('warns on a two-node cluster without a witness (two_node + wait_for_all)', async () => {
    const s = await ensureLab('pacemaker2')
    const {report} = await audit(s.inventory as string)
    expect(status(report, 'quorum.votes')).toEqual(['warn'])
    expect(status(report, 'quorum.witness')).toEqual(['skip', 'skip'])
  })
})
