/**
 * `hacheck audit` on the lab's other topologies: a 2-node cluster with a
 * qnetd witness, a 2-node cluster without one, and the web tier (LBs
 * terminating TLS in front of app nodes) — healthy and with the certificate on
 * a backend. Each profile is a rebuild of the one shared lab.
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

  it('passes item 9 on the web tier: the same valid certificate on both LBs, none on the backends, the same one served', async () => {
    const s = await ensureLab('web')
    const {report} = await audit(s.inventory as string)
    const item9 = report.results.filter((x) => x.checklistRef === '9')
    expect(
      item9.filter((x) => x.status !== 'pass').map((x) => `${x.id} ${x.node ?? ''} ${x.status} ${x.message}`),
    ).toEqual([])
    expect(status(report, 'tls.live-handshake')).toEqual(['pass', 'pass'])
    expect(status(report, 'lb.redundant')).toEqual(['pass'])
  })

  it('fails item 9 when the certificate lives on the backends instead of the LBs', async () => {
    const s = await ensureLab('web', ['cert-on-backend'])
    const {code, report} = await audit(s.inventory as string)
    expect(status(report, 'tls.not-on-backends')).toEqual(['fail'])
    const nb = report.results.find((x) => x.id === 'tls.not-on-backends')
    expect(nb?.message).toMatch(/app1/)
    expect(code).toBe(1)
  })
})
