/**
 * `hacheck audit` end to end against the real lab: the CLI as an operator runs
 * it (node bin/run.js, JSON report), on the healthy cluster and on each
 * misconfigured variant, switched live on the one shared lab.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AuditRun, CheckResult} from '../../../src/core/results.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {VariantName} from '../../../src/lab/topology.js'
import {audit} from './run-audit.js'
import {ensureLab, labContext, labRunner, labTitle, restoreHealthy, useVariants} from '../lab/helpers.js'

const byRef = (r: AuditRun, ref: string): CheckResult[] => r.results.filter((x) => x.checklistRef === ref)
const failingRefs = (r: AuditRun): string[] =>
  [
    ...new Set(
      r.results.filter((x) => x.status === 'fail' || x.status === 'error').map((x) => x.checklistRef),
    ),
  ].sort()

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck audit on the lab'), () => {
  let status: LabStatus
  let inv: string
  beforeAll(async () => {
    status = await ensureLab()
    inv = status.inventory as string
  })
  afterAll(async () => {
    await restoreHealthy()
  })

  // Items 6-7 read this cluster's chaos history, empty here: failover-evidence.test.ts judges them.
  const configOnly = ['--skip', '6', '--skip', '7']

  it('passes items 1, 2, 3, 8 and 10 on the healthy cluster and skips item 4 for lack of shared storage', async () => {
    const {code, report} = await audit(inv, ...configOnly)
    for (const ref of ['1', '2', '3', '8', '10']) {
      const rs = byRef(report, ref)
      expect(rs.length, `item ${ref}`).toBeGreaterThan(0)
      expect(
        rs.filter((x) => x.status === 'fail' || x.status === 'error').map((x) => `${x.id} ${x.message}`),
        `item ${ref}`,
      ).toEqual([])
      expect(
        rs.some((x) => x.status === 'pass'),
        `item ${ref}`,
      ).toBe(true)
    }
    const mp = byRef(report, '4')
    expect(mp.length).toBe(3)
    for (const x of mp) {
      expect(x.status).toBe('skip')
      expect(x.message).toMatch(/^no shared storage/)
    }
    expect(failingRefs(report)).toEqual([])
    expect(code).toBe(0)
  })

  const cases: {variant: VariantName; ref: string; check: string; node?: string; observed?: unknown}[] = [
    {variant: 'stonith-disabled', ref: '2', check: 'fencing.enabled', observed: {'stonith-enabled': false}},
    {variant: 'fence-gap', ref: '2', check: 'fencing.coverage'},
    {variant: 'hb-public', ref: '3', check: 'heartbeat.separate-interface', node: 'n1'},
    {variant: 'no-log-forward', ref: '8', check: 'logging.central', node: 'n1'},
    {variant: 'capacity-short', ref: '10', check: 'capacity.n-minus-1'},
  ]
  for (const c of cases) {
    it(`turns exactly item ${c.ref} to fail with variant ${c.variant}, with evidence`, async () => {
      await useVariants([c.variant])
      const {code, report} = await audit(inv, ...configOnly)
      expect(failingRefs(report)).toEqual([c.ref])
      const hit = report.results.find(
        (x) => x.id === c.check && x.status === 'fail' && (c.node === undefined || x.node === c.node),
      )
      expect(
        hit,
        JSON.stringify(byRef(report, c.ref).map((x) => [x.id, x.node, x.status, x.message])),
      ).toBeDefined()
      expect(hit?.evidence.length).toBeGreaterThan(0)
      expect(hit?.evidence[0]?.node).toBeDefined()
      if (c.observed !== undefined) expect(hit?.evidence[0]?.observed).toEqual(c.observed)
      expect(hit?.remediation).toMatch(/## Remediation/)
      expect(code).toBe(1)
    })
  }

  it('gives error results for an unreachable node and still audits the others', async () => {
    await restoreHealthy()
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-audit-'))
    const text = readFileSync(inv, 'utf8')
      .replace(/identityFile: \.\/id_lab/, `identityFile: ${join(inv, '..', 'id_lab')}`)
      .replace(/knownHosts: \.\/known_hosts/, `knownHosts: ${join(inv, '..', 'known_hosts')}`)
    // n9 points at a closed port of a lab node: the connection is refused at once.
    const extra = `  - name: n9\n    host: 198.18.2.11\n    port: 1\n    roles: [cluster]\n`
    const file = join(dir, 'inventory.yaml')
    writeFileSync(file, text.trimEnd() + '\n' + extra)
    const {code, report} = await audit(file)
    expect(code).toBe(3)
    const n9 = report.results.filter((x) => x.node === 'n9')
    expect(n9.length).toBeGreaterThan(1)
    expect(n9.every((x) => x.status === 'error' || x.status === 'skip')).toBe(true)
    expect(report.results.find((x) => x.id === 'node.reachable' && x.node === 'n9')?.message).toMatch(/n9/)
    for (const n of ['n1', 'n2', 'n3']) {
      expect(report.results.find((x) => x.id === 'node.reachable' && x.node === n)?.status).toBe('pass')
      expect(
        report.results.find((x) => x.id === 'heartbeat.separate-interface' && x.node === n)?.status,
      ).toBe('pass')
    }
    expect(report.nodes.find((n) => n.name === 'n9')?.reachable).toBe(false)
  })

  it('changes nothing on the nodes: CIB, corosync.conf, firewall and processes are the same before and after', async () => {
    const {runner, nodes} = await labRunner()
    const snapshot = String.raw`set -o pipefail
echo "cib $(cibadmin -Q -o configuration | sha256sum | cut -c1-16)"
echo "corosync $(sha256sum < /etc/corosync/corosync.conf | cut -c1-16)"
echo "iptables $( (iptables-save; ip6tables-save) 2>/dev/null | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//' | sha256sum | cut -c1-16)"
echo "nft $(nft list ruleset 2>/dev/null | sha256sum | cut -c1-16)"
ps -e -o pid=,etimes=,comm= | awk '$2 >= 20 {print "proc", $1, $3}' | sort
n=0; for f in /proc/[0-9]*/environ; do tr '\0' '\n' < "$f" 2>/dev/null | grep -q '^HACHECK_CMD=' || continue; tr '\0' '\n' < "$f" 2>/dev/null | grep -qx "HACHECK_CMD=$HACHECK_CMD" && continue; n=$((n+1)); done; echo "hacheck-processes $n"`
    // Chain policy counters ([packets:bytes]) move with any traffic, the audit's own SSH included: compare rules, not counters.
    const take = async (): Promise<string[]> =>
      Promise.all(
        nodes
          .filter((n) => n.roles.includes('cluster'))
          .map(async (n) => `${n.name}\n${(await runner.run(n, {script: snapshot})).stdout}`),
      )
    try {
      const before = await take()
      const {report} = await audit(inv)
      expect(report.summary.total).toBeGreaterThan(20)
      const after = await take()
      // Processes that were long-lived before must all still be there; nothing of hacheck's is left running.
      for (let i = 0; i < before.length; i++) {
        const b = (before[i] ?? '').split('\n')
        const a = new Set((after[i] ?? '').split('\n'))
        for (const line of b)
          if (line.startsWith('proc ') || /^(cib|corosync|iptables|nft) /.test(line))
            expect(a.has(line), line).toBe(true)
        expect((after[i] ?? '').match(/hacheck-processes (\d+)/)?.[1]).toBe('0')
      }
    } finally {
      await runner.close()
    }
  })
})
