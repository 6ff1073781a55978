/**
 * Fleet mode without SSH: fleets of the lab captures in examples/ (verbatim
 * outputs of the real tools), so every cluster goes through the same audit
 * path as a live one. The live acceptance (20+ clusters over real sshd) is
 * test/integration/fleet/fleet.test.ts.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {renderFleet} from '../../../src/fleet/command.js'
import {saveHistory} from '../../../src/fleet/outputs.js'
import {loadFleet} from '../../../src/fleet/load.js'
import {renderFleetConsole, renderFleetMarkdown} from '../../../src/fleet/render.js'
import {runFleet} from '../../../src/fleet/run.js'
import type {FleetSpec} from '../../../src/fleet/spec.js'
import {fleetSummary, worstExit, type FleetClusterResult, type FleetRun} from '../../../src/fleet/summary.js'
import {auditCapture} from '../../support/capture-audit.js'
import {repoRoot} from '../../support/paths.js'

const examples = join(repoRoot, 'examples')
const tmp = mkdtempSync(join(tmpdir(), 'hacheck-fleet-unit-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function write(rel: string, text: string): string {
  const file = join(tmp, rel)
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  return file
}

async function fleetError(path: string): Promise<string> {
  try {
    await loadFleet(path)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return (err as Error).message
  }
  throw new Error('expected an InputError')
}

const noPool = async (): Promise<never> => {
  throw new Error('a fleet of captures must not open an SSH pool')
}

async function audit(spec: FleetSpec, budget = 4): Promise<Awaited<ReturnType<typeof runFleet>>> {
  return runFleet({
    spec,
    pool: noPool,
    local: async () => {
      throw new Error('no controller-side probe in a capture fleet')
    },
    budget,
    defaultChecklist: 'ha-baseline',
    gatherTimeoutMs: 30_000,
    version: 'test',
  })
}

describe('a fleet file', () => {
  it('lists clusters by inventory or capture, with paths relative to the file and per-cluster overrides', async () => {
    const file = write(
      'a/fleet.yaml',
      [
        'name: nightly',
        'defaults: {checklist: ha-baseline, skip: [x.time]}',
        'clusters:',
        '  - inventory: prod-a/inventory.yaml',
        '    checklist: prod-a/checklist.yaml',
        '    objectives: {rto: 45s, rpo: 0s}',
        `  - {capture: ${join(examples, 'lab-healthy')}, name: lab}`,
        '  - prod-b.yaml',
      ].join('\n'),
    )
    const spec = await loadFleet(file)
    expect(spec.name).toBe('nightly')
    expect(spec.clusters).toEqual([
      {
        label: 'prod-a',
        source: {kind: 'inventory', path: join(tmp, 'a/prod-a/inventory.yaml')},
        checklist: join(tmp, 'a/prod-a/checklist.yaml'),
        skip: ['x.time'],
        objectives: {rtoMs: 45_000, rpoMs: 0},
      },
      {
        label: 'lab',
        name: 'lab',
        source: {kind: 'capture', path: join(examples, 'lab-healthy')},
        checklist: 'ha-baseline',
        skip: ['x.time'],
      },
      {
        label: 'prod-b',
        source: {kind: 'inventory', path: join(tmp, 'a/prod-b.yaml')},
        checklist: 'ha-baseline',
        skip: ['x.time'],
      },
    ])
  })

  it('is refused with FILE:LINE:COL: PATH: and what was expected, every problem at once', async () => {
    const file = write(
      'bad/fleet.yaml',
      [
        'clusters:',
        '  - inventory: a.yaml',
        '    capture: b',
        '  - {inventory: c.yaml, objectives: {rto: soon}}',
        '  - {inventry: d.yaml}',
      ].join('\n'),
    )
    const msg = await fleetError(file)
    expect(msg).toContain(`${file}:2:5: clusters[0]: give exactly one of inventory: FILE or capture: DIR`)
    expect(msg).toContain(
      `${file}:4:43: clusters[1].objectives.rto: expected a duration such as 30s, found "soon"`,
    )
    expect(msg).toContain(
      `${file}:5:6: clusters[2].inventry: unknown key (expected one of: name, inventory, capture, checklist, only, skip, objectives)`,
    )
  })

  it('without clusters is refused with what to write', async () => {
    const msg = await fleetError(write('empty/fleet.yaml', 'name: x\n'))
    expect(msg).toMatch(/missing clusters: list the clusters/)
  })

  it('that is an inventory is refused with the flag to use instead', async () => {
    const msg = await fleetError(
      write('inv/prod.yaml', 'cluster: {name: p, stack: generic}\nnetworks: {}\nnodes: []\n'),
    )
    expect(msg).toMatch(/prod\.yaml:1:1: this is an inventory, not a fleet: audit it with -i FILE/)
  })

  it('that does not exist is refused, naming the path', async () => {
    expect(await fleetError(join(tmp, 'nope'))).toMatch(/^--fleet .*nope: ENOENT/)
  })
})

describe('a fleet directory without fleet.yaml', () => {
  it('finds NAME.yaml inventories, NAME/inventory.yaml with its checklist, and captures, through symlinks too', async () => {
    const dir = join(tmp, 'scan')
    write('scan/b.yaml', 'x')
    write('scan/a/inventory.yml', 'x')
    write('scan/a/checklist.yaml', 'x')
    write('scan/.hidden.yaml', 'x')
    write('scan/notes.txt', 'x')
    mkdirSync(join(dir, '..data'))
    symlinkSync(join(examples, 'lab-hb-public'), join(dir, 'c'))
    const spec = await loadFleet(dir)
    expect(spec.name).toBe('scan')
    expect(spec.clusters).toEqual([
      {
        label: 'a',
        source: {kind: 'inventory', path: join(dir, 'a/inventory.yml')},
        checklist: join(dir, 'a/checklist.yaml'),
      },
      {label: 'b', source: {kind: 'inventory', path: join(dir, 'b.yaml')}},
      {label: 'c', source: {kind: 'capture', path: join(dir, 'c')}},
    ])
  })

  it('with no cluster in it is refused with the layout to use', async () => {
    mkdirSync(join(tmp, 'void'))
    expect(await fleetError(join(tmp, 'void'))).toMatch(/no clusters found in this directory/)
  })
})

describe('runFleet over the lab captures', () => {
  it('gives one result per cluster, its own objectives and checklist, and the worst exit code', async () => {
    const cl = write(
      'cl/only-fencing.yaml',
      'id: only-fencing\ntitle: Fencing only\nversion: "1"\nitems:\n  - {ref: "2", title: Fencing, checks: [{check: fencing.enabled}]}\n',
    )
    const spec: FleetSpec = {
      name: 'demo',
      origin: tmp,
      clusters: [
        // The capture has no chaos run on record: items 6-7 (failover evidence) are skipped for it.
        {
          label: 'healthy',
          name: 'healthy',
          source: {kind: 'capture', path: join(examples, 'lab-healthy')},
          skip: ['6', '7'],
        },
        {
          label: 'no-fencing',
          name: 'no-fencing',
          source: {kind: 'capture', path: join(examples, 'lab-stonith-disabled')},
          checklist: cl,
          objectives: {rtoMs: 20_000},
        },
        {label: 'broken', source: {kind: 'inventory', path: join(tmp, 'missing.yaml')}},
      ],
    }
    const {fleet} = await audit(spec)
    expect(fleet.clusters.map((c) => [c.name, c.verdict, c.exitCode])).toEqual([
      ['healthy', 'passed', 0],
      ['no-fencing', 'failed', 1],
      ['broken', 'invalid', 2],
    ])
    const nf = fleet.clusters[1]?.run
    expect(nf?.cluster.objectives.rtoMs).toBe(20_000)
    expect(nf?.checklist.id).toBe('only-fencing')
    expect(new Set(nf?.results.map((r) => r.id))).toEqual(new Set(['node.reachable', 'fencing.enabled']))
    expect(fleet.clusters[2]?.error).toMatch(/missing\.yaml: cannot read the inventory/)
    expect(fleet.summary).toMatchObject({
      clusters: 3,
      passed: 1,
      failed: 1,
      invalid: 1,
      incomplete: 0,
      exitCode: 2,
    })
    expect(fleet.summary.checks[0]).toMatchObject({
      id: 'fencing.enabled',
      fail: 1,
      clusters: {'no-fencing': 'fail'},
    })
    expect(fleet.budget).toEqual({nodes: 4, peakNodes: 0})
  })

  it('refuses two clusters of the same name: they would share history and metrics', async () => {
    const {fleet} = await audit({
      name: 'dup',
      origin: tmp,
      clusters: [
        {label: 'x', source: {kind: 'capture', path: join(examples, 'lab-healthy')}},
        {label: 'y', source: {kind: 'capture', path: join(examples, 'lab-hb-public')}},
      ],
    })
    expect(fleet.clusters.map((c) => c.verdict)).toEqual(['invalid', 'invalid'])
    expect(fleet.clusters[0]?.error).toMatch(
      /cluster name "lab" is used by more than one cluster of the fleet/,
    )
    expect(fleet.summary.exitCode).toBe(2)
  })

  it('renders a console and a Markdown summary naming which clusters fail what', async () => {
    const {fleet} = await audit({
      name: 'demo',
      origin: tmp,
      clusters: [
        {
          label: 'a',
          name: 'a',
          source: {kind: 'capture', path: join(examples, 'lab-healthy')},
          skip: ['6', '7'],
        },
        {
          label: 'b',
          name: 'b',
          source: {kind: 'capture', path: join(examples, 'lab-hb-public')},
          skip: ['6', '7'],
        },
      ],
    })
    const text = renderFleetConsole(fleet, {color: false})
    expect(text).toContain('2 clusters: 1 passed, 1 failed, 0 incomplete, 0 invalid (exit 1)')
    expect(text).toMatch(/^b +FAILED +nodes 4\/4 .*\n +fails: heartbeat\.separate-interface$/m)
    expect(text).toMatch(/heartbeat\.separate-interface \[critical\] fail 1, error 0, warn 0: b$/m)
    const md = renderFleetMarkdown(fleet)
    expect(md).toContain('| `b` | FAILED | 1 | 4/4 |')
    expect(md).toContain('| `heartbeat.separate-interface` ')
  })
})

describe('hacheck audit --fleet examples (the built CLI, no SSH)', () => {
  it('audits every lab capture as one cluster of the fleet and exits with the worst cluster\u2019s code', () => {
    const captures = readdirSync(examples).filter((d) => d.startsWith('lab-'))
    const r = spawnSync(
      'node',
      [
        join(repoRoot, 'bin/run.js'),
        'audit',
        '--fleet',
        examples,
        '--format',
        'json',
        '-q',
        '--log-file',
        'none',
      ],
      {
        encoding: 'utf8',
        env: {...process.env, HACHECK_HISTORY: '', XDG_STATE_HOME: tmp},
        maxBuffer: 64 * 1024 * 1024,
      },
    )
    const fleet = JSON.parse(r.stdout) as FleetRun
    expect(fleet.clusters.map((c) => c.name).sort()).toEqual(captures.sort())
    // Healthy, with a passing game day on record, as `audit --from examples/lab-healthy` says.
    const healthy = fleet.clusters.find((c) => c.name === 'lab-healthy')
    expect(healthy?.verdict).toBe('passed')
    expect(healthy?.run?.results.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual([])
    expect(fleet.clusters.find((c) => c.name === 'lab-stonith-disabled')?.verdict).toBe('failed')
    expect(r.status).toBe(fleet.summary.exitCode)
    expect(r.stderr).toBe('')
  })
})

describe('the Prometheus output of a fleet', () => {
  it('gives a cluster that could not be audited tonight its last complete audit from the history', async () => {
    const history = join(tmp, 'history')
    const before = await auditCapture('lab-healthy', {cluster: 'broken', at: '2026-12-01T02:30:00.000Z'})
    saveHistory([before], history)
    const {fleet} = await audit({
      name: 'nightly',
      origin: tmp,
      clusters: [
        {label: 'ok', name: 'ok', source: {kind: 'capture', path: join(examples, 'lab-healthy')}},
        {label: 'broken', source: {kind: 'inventory', path: join(tmp, 'gone.yaml')}},
      ],
    })
    const text = renderFleet('prometheus', fleet, {color: false, history})
    expect(text).toContain(
      `hacheck_audit_last_complete_timestamp_seconds{cluster="broken"} ${Date.parse(before.finishedAt) / 1000}`,
    )
    expect(text).toContain('hacheck_audit_exit_code{cluster="broken"} 2')
    expect(text).toContain('hacheck_fleet_clusters{fleet="nightly",verdict="invalid"} 1')
    expect(renderFleet('prometheus', fleet, {color: false})).toContain(
      'hacheck_audit_last_complete_timestamp_seconds{cluster="broken"} 0',
    )
  })
})

describe('a fleet with hostile names and messages', () => {
  it('renders console and Markdown with control characters made visible, JSON as recorded', async () => {
    const {fleet} = await audit({
      name: 'nightly\u001b[2J',
      origin: tmp,
      clusters: [
        {
          label: 'ok',
          name: 'ok\u0000\u001b[31m',
          source: {kind: 'capture', path: join(examples, 'lab-healthy')},
        },
        {label: 'gone\u001b]0;x\u0007', source: {kind: 'inventory', path: join(tmp, 'gone\u001b.yaml')}},
      ],
    })
    for (const format of ['console', 'markdown'] as const) {
      const text = renderFleet(format, fleet, {color: false})
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/)
    }
    expect(renderFleet('console', fleet, {color: false})).toContain('␛[31m')
    expect(JSON.parse(renderFleet('json', fleet, {color: false}))).toEqual(JSON.parse(JSON.stringify(fleet)))
  })
})

describe('the fleet exit code', () => {
  it('is the worst cluster\u2019s: 3 beats 2 beats 1 beats 0', () => {
    expect(worstExit([])).toBe(0)
    expect(worstExit([0, 1, 0])).toBe(1)
    expect(worstExit([1, 2, 0])).toBe(2)
    expect(worstExit([2, 3, 1])).toBe(3)
  })

  it('counts clusters by verdict in the summary', () => {
    const r = (
      name: string,
      exitCode: 0 | 1 | 2 | 3,
      verdict: FleetClusterResult['verdict'],
    ): FleetClusterResult => ({
      name,
      source: {kind: 'inventory', path: `/x/${name}.yaml`},
      exitCode,
      verdict,
    })
    expect(fleetSummary([r('a', 0, 'passed'), r('b', 3, 'incomplete'), r('c', 1, 'failed')])).toMatchObject({
      clusters: 3,
      passed: 1,
      failed: 1,
      incomplete: 1,
      invalid: 0,
      exitCode: 3,
    })
  })
})
