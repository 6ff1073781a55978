/**
 * A shipped game day against the lab, through `hacheck chaos run`: steady
 * state, the heartbeat pull of the service node under load with its
 * expectations, steady state again, rollbacks; JUnit report.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import type {NodeSpec} from '../../../src/core/types.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {repoRoot, sharedSchemasDir} from '../../support/paths.js'
import {schemaValidator} from '../../support/schema.js'
import {ensureLab, labContext, labRunner, labTitle, restoreHealthy, waitFor} from '../lab/helpers.js'
import {chaosEnv, hacheck, healthy, ledgerFiles, leftovers} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('hacheck chaos run (game day) against the lab'), () => {
  let status: LabStatus
  let runner: SshPool
  let nodes: NodeSpec[]
  const state = mkdtempSync(join(tmpdir(), 'hacheck-gameday-'))

  beforeAll(async () => {
    status = await ensureLab()
    ;({runner, nodes} = await labRunner(status))
    await waitFor(
      'a healthy cluster',
      180_000,
      async () => ((await healthy(runner, nodes[0] as NodeSpec)) ? true : undefined),
      1000,
    )
  })
  afterAll(async () => {
    await runner?.close()
    rmSync(state, {recursive: true, force: true})
    if (lab.available) await restoreHealthy()
  })

  it('runs examples/gamedays/heartbeat-failover.yaml and reports it as JUnit', async () => {
    const junit = join(state, 'gameday.xml')
    const r = await hacheck(
      [
        'chaos',
        'run',
        join(repoRoot, 'examples', 'gamedays', 'heartbeat-failover.yaml'),
        '-i',
        status.inventory as string,
        '--yes',
        '--format',
        'junit',
        '-o',
        junit,
        '--log-file',
        'none',
      ],
      chaosEnv(state, status),
      290_000,
    )
    const xml = existsSync(junit) ? readFileSync(junit, 'utf8') : ''
    console.warn(
      `[chaos run] exit ${r.exitCode}\n${xml
        .split('\n')
        .filter((l) => /testcase|property name="(clientOutageMs|recoveryMs)"|failure|error /.test(l))
        .join('\n')}`,
    )
    expect(r.exitCode, String(r.stderr).slice(-2000)).toBe(0)
    expect(xml).toContain('name="steady state before: cluster healthy"')
    expect(xml).toContain('name="expect: fenced"')
    expect(xml).toContain('name="expect: rto &lt;= 30s"')
    expect(xml).toContain('name="phase: fence-confirmed')
    expect(xml).toMatch(/<property name="clientOutageMs" value="\d+"\/>/)
    expect(xml).not.toMatch(/<failure|<error/)
    const xsd = join(sharedSchemasDir, 'junit-10.xsd')
    if (existsSync(xsd) && spawnSync('xmllint', ['--version']).status === 0) {
      const v = spawnSync('xmllint', ['--noout', '--schema', xsd, junit], {encoding: 'utf8'})
      expect(v.status, v.stderr).toBe(0)
    }
    expect(ledgerFiles(state)).toEqual([])
    for (const n of nodes) expect(await leftovers(runner, n), `leftovers on ${n.name}`).toBe('')

    // The saved run: valid against the published schema, with the configuration in force and the
    // cluster's own log lines around the phases, and rendered to HTML and Markdown again.
    const runs = join(state, 'hacheck', 'runs')
    const [id] = readdirSync(runs)
    const runJson = join(runs, id as string, 'run.json')
    const saved = JSON.parse(readFileSync(runJson, 'utf8')) as ChaosResult
    const validate = schemaValidator('chaos-result.schema.json')
    expect(validate(saved), JSON.stringify(validate.errors)).toBe(true)
    expect(saved.config?.corosync.tokenMs).toBeGreaterThan(0)
    expect(saved.config?.fenceDevices.map((d) => d.id)).toContain('fence-n1')
    const excerpts = saved.logExcerpts ?? []
    expect(excerpts.some((x) => x.phase.includes('node-lost') && x.lines.length > 0)).toBe(true)
    const html = join(state, 'run.html')
    const render = await hacheck(
      ['report', 'render', runJson, '-o', html, '--log-file', 'none'],
      chaosEnv(state, status),
      60_000,
    )
    expect(render.exitCode, String(render.stderr)).toBe(0)
    // Each excerpt is a <details>; those of the failover's own phases (node lost, fencing, resource
    // started) are open, the others (e.g. fault injected) closed.
    const page = readFileSync(html, 'utf8')
    expect(page).toMatch(/<h3>Cluster log around each phase<\/h3><details/)
    expect(page).toMatch(/<details open><summary>[^<]*node-lost[^<]*<small>[1-9]\d* line/)
    const md = await hacheck(
      ['report', 'render', runJson, '-f', 'markdown', '--log-file', 'none'],
      chaosEnv(state, status),
      60_000,
    )
    expect(String(md.stdout)).toMatch(/^\| Corosync token \| \d/m)
  })
})
