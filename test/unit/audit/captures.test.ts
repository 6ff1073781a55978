/**
 * The lab captures shipped in examples/ (verbatim outputs of the real tools on
 * the lab, taken with `hacheck facts --save`): every gatherer output parses,
 * and `audit --from` judges each capture as the live lab was judged.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {gatherersOf} from '../../../src/audit/engine.js'
import {toFact} from '../../../src/audit/facts.js'
import {catalog} from '../../../src/checks/index.js'
import type {AuditRun} from '../../../src/core/results.js'
import type {Gatherer} from '../../../src/facts/gatherer.js'
import {registerSecret} from '../../../src/core/secrets.js'
import {renderAudit} from '../../../src/reporters/index.js'
import {auditCapture as audit} from '../../support/capture-audit.js'
import {repoRoot, sharedSchemasDir} from '../../support/paths.js'

const hasXmllint = spawnSync('xmllint', ['--version']).status === 0
const xsd = join(sharedSchemasDir, 'junit-10.xsd')

const examples = join(repoRoot, 'examples')
const captures = readdirSync(examples).filter((d) => d.startsWith('lab-'))
const gatherers = new Map<string, Gatherer<unknown>>()
for (const c of catalog().values()) for (const g of gatherersOf(c)) gatherers.set(g.id, g)

/** `hacheck audit --from examples/<name>`: the chaos history and the time of the capture come with it. */
const auditCapture = (name: string): Promise<AuditRun> => audit(name, {asCommand: true})

const result = (r: AuditRun, id: string, node?: string): AuditRun['results'][number] => {
  const x = r.results.find((y) => y.id === id && (node === undefined || y.node === node))
  if (!x) throw new Error(`no result ${id}${node ? ` on ${node}` : ''}`)
  return x
}

const failing = (r: AuditRun): string[] =>
  [...new Set(r.results.filter((x) => x.status === 'fail' || x.status === 'error').map((x) => x.id))].sort()

describe('the lab captures in examples/', () => {
  it('exist: a healthy one and misconfigured ones', () => {
    expect(captures).toContain('lab-healthy')
    expect(captures.length).toBeGreaterThanOrEqual(3)
  })

  for (const cap of captures) {
    it(`parse without error, gatherer by gatherer, in ${cap}`, () => {
      for (const node of readdirSync(join(examples, cap), {withFileTypes: true}).filter((d) =>
        d.isDirectory(),
      )) {
        const dir = join(examples, cap, node.name)
        const codes = JSON.parse(readFileSync(join(dir, 'exit-codes.json'), 'utf8')) as Record<
          string,
          number | null
        >
        for (const [id, exitCode] of Object.entries(codes)) {
          const g = gatherers.get(id)
          if (!g) continue
          const read = (ext: string): string => {
            try {
              return readFileSync(join(dir, `${id}.${ext}`), 'utf8')
            } catch {
              return ''
            }
          }
          const f = toFact(node.name, g, {stdout: read('out'), stderr: read('err'), exitCode})
          if (!f.ok)
            expect(f.error.code, `${cap}/${node.name}/${id}: ${f.error.message}`).not.toBe('parse-error')
        }
      }
    })
  }

  it('judge the healthy capture, taken after a real game day, as passing', async () => {
    const run = await auditCapture('lab-healthy')
    expect(failing(run)).toEqual([])
    expect(result(run, 'failover.tested').message).toMatch(
      /^1 passing failover test\(s\) under load in the last 90 days \(latest link-pull at \S+, client outage \d+\.\d\ds\)$/,
    )
    expect(run.view?.degraded).toBe(false)
    expect(run.view?.headline).toMatch(/3\/3 cluster nodes examined; one partition n1\+n2\+n3, quorate/)
    expect(
      run.results
        .filter((r) => r.checklistRef === '4')
        .every((r) => r.status === 'skip' && r.message.startsWith('no shared storage')),
    ).toBe(true)
    for (const ref of ['1', '2', '3', '8', '10'])
      expect(
        run.results.some((r) => r.checklistRef === ref && r.status === 'pass'),
        ref,
      ).toBe(true)
  })

  it('find exactly the disabled fencing in the stonith-disabled capture', async () => {
    expect(failing(await auditCapture('lab-stonith-disabled'))).toEqual([
      'failover.tested',
      'fencing.enabled',
    ])
  })

  it('find exactly the heartbeat on the public interface in the hb-public capture', async () => {
    expect(failing(await auditCapture('lab-hb-public'))).toEqual([
      'failover.tested',
      'heartbeat.separate-interface',
    ])
  })

  it('name a node powered off before the membership noticed, with its BMC state, at the top and in quorum and nodes-online', async () => {
    const run = await auditCapture('lab-node-off-early')
    expect(run.view?.degraded).toBe(true)
    expect(run.view?.headline).toMatch(
      /^DEGRADED: n3 is powered off \(its BMC says so, and it does not answer\), yet n1 and n2 still count it as a member/,
    )
    expect(result(run, 'quorum.runtime').status).toBe('fail')
    expect(result(run, 'quorum.runtime').message).toMatch(/n3 is powered off/)
    expect(result(run, 'pacemaker.nodes-online').status).toBe('fail')
    expect(result(run, 'pacemaker.nodes-online').message).toMatch(
      /n3: BMC reports power off, yet Pacemaker still shows it online/,
    )
    expect(result(run, 'node.reachable', 'n3').message).toMatch(
      /^n3: not examined — SSH timeout, BMC reports power off/,
    )
    // Nothing about n3 passes: every per-node check on it could not tell.
    expect(
      run.results.filter((r) => r.node === 'n3').every((r) => r.status === 'error' || r.status === 'skip'),
    ).toBe(true)
    // Checks that claim something of every node do not pass while n3 is dark.
    for (const id of ['quorum.runtime', 'pacemaker.nodes-online', 'corosync.config-drift', 'logging.central'])
      expect(
        run.results.filter((r) => r.id === id).every((r) => r.status !== 'pass' || r.node !== undefined),
        id,
      ).toBe(true)
  })

  it('name a node already fenced and still booting as not examined, with the fence, who did it and when', async () => {
    const run = await auditCapture('lab-node-off-fenced')
    expect(run.view?.headline).toMatch(
      /^DEGRADED: n3: not examined — SSH timeout, BMC reports power on; not in the membership of any examined node/,
    )
    expect(result(run, 'quorum.runtime').status).toBe('fail')
    expect(result(run, 'quorum.runtime').message).toMatch(/only 2 of 3 expected votes present/)
    expect(result(run, 'pacemaker.nodes-online').message).toMatch(
      /offline: n3 in the quorate partition n1\+n2/,
    )
    expect(result(run, 'fencing.history').status).toBe('warn')
    expect(result(run, 'fencing.history').message).toMatch(
      /n3 was fenced \(reboot\) at 20\d\d-\d\d-\d\d \S+Z \(0 min ago\) by n\d for pacemaker-controld@n\d/,
    )
  })

  it('name an isolated node as the minority holding the VIP, judge from the quorate partition, and not blame the majority', async () => {
    const run = await auditCapture('lab-minority')
    const p = run.view?.partitions ?? []
    expect(p.map((x) => [x.name, x.quorate, x.primary])).toEqual([
      ['n2+n3', true, true],
      ['n1', false, false],
    ])
    expect(p[1]?.vipHolders).toEqual(['n1'])
    expect(run.view?.headline).toMatch(
      /n1 is in a minority partition \(n1, no quorum\) cut off from the quorate partition n2\+n3; still holds the VIP/,
    )
    const online = result(run, 'pacemaker.nodes-online')
    expect(online.status).toBe('fail')
    expect(online.message).toMatch(/UNCLEAN \(must be fenced\): n1 in the quorate partition n2\+n3/)
    expect(online.message).not.toMatch(/(offline|UNCLEAN[^:]*): n[23]\b/)
    expect(result(run, 'quorum.runtime').message).toMatch(/^n1 is in a minority partition/)
    expect(result(run, 'fencing.history').message).toMatch(/failed fence action\(s\): reboot of n1 ×\d+/)
    // Cluster-wide state is read from the quorate partition's DC, and says so.
    expect(
      result(run, 'fencing.enabled').evidence.some((e) => /quorate partition n2\+n3/.test(e.note ?? '')),
    ).toBe(true)
  })

  it('warn, naming the link, when one of two corosync links is down and the other carries', async () => {
    const run = await auditCapture('lab-link-down')
    expect(failing(run)).toEqual(['failover.tested'])
    const links = run.results.filter((r) => r.id === 'heartbeat.links-healthy')
    expect(links.map((r) => r.status)).toEqual(['warn', 'warn', 'warn'])
    expect(result(run, 'heartbeat.links-healthy', 'n1').message).toMatch(
      /^link 0 \(198\.18\.1\.11\) down towards node 2, 3; link 1 \(198\.18\.3\.11\) still carries the heartbeat: redundancy lost/,
    )
  })

  it('fail fencing.history, and only it, on a failed fence action of an otherwise healthy cluster', async () => {
    const run = await auditCapture('lab-fence-failed')
    expect(failing(run)).toEqual(['failover.tested', 'fencing.history'])
    expect(result(run, 'fencing.history').message).toMatch(/failed fence action\(s\): reboot of n3/)
  })

  it('fail maintenance mode and a leftover cli-ban, each on its own check', async () => {
    expect(failing(await auditCapture('lab-maintenance'))).toEqual([
      'failover.tested',
      'pacemaker.maintenance-mode',
    ])
    const ban = await auditCapture('lab-cli-ban')
    expect(failing(ban)).toEqual(['failover.tested', 'pacemaker.leftover-constraints'])
    expect(result(ban, 'pacemaker.leftover-constraints').message).toMatch(/cli-ban-p-vip-on-n1/)
  })

  it('render every capture to JUnit that validates against the JUnit XSD', async () => {
    if (!hasXmllint || !existsSync(xsd)) {
      console.warn('skipped: xmllint or ../shared/schemas/junit-10.xsd missing')
      return
    }
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-junit-'))
    for (const cap of captures) {
      const file = join(dir, `${cap}.xml`)
      writeFileSync(file, renderAudit('junit', await auditCapture(cap), {color: false, itemTitles: {}}))
      const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], {encoding: 'utf8'})
      expect(r.status, `${cap}: ${r.stderr}`).toBe(0)
    }
  })

  it('never show the BMC password, wherever the audit of a capture is rendered', async () => {
    const password = 'lab-capture-secret-pw'
    registerSecret(password)
    for (const cap of captures) {
      const run = await auditCapture(cap)
      for (const f of ['console', 'json', 'junit', 'markdown', 'html'] as const)
        expect(renderAudit(f, run, {color: false, itemTitles: {}})).not.toContain(password)
    }
  })

  it('hold no secret: CIB passwords are scrubbed and no private key is captured', () => {
    for (const cap of captures) {
      const cib = readFileSync(join(examples, cap, 'n1', 'cibadmin.out'), 'utf8')
      expect(cib).toMatch(/name="password" value="\*\*\*scrubbed\*\*\*"/)
      expect(cib).not.toMatch(/name="password" value="(?!\*\*\*scrubbed)/)
      const all = readdirSync(join(examples, cap, 'n1'))
        .map((f) => readFileSync(join(examples, cap, 'n1', f), 'utf8'))
        .join('\n')
      expect(all).not.toMatch(/PRIVATE KEY/)
    }
  })
})
