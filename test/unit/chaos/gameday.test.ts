import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {FAULTS} from '../../../src/chaos/faults/index.js'
import {GameDayError, loadGameDay, parseGameDay} from '../../../src/chaos/gameday/file.js'
import {gameDayWorkload, selectionFor} from '../../../src/chaos/gameday/run.js'
import {renderGameDayJUnit, renderGameDayText} from '../../../src/chaos/report/gameday.js'
import {fixturesDir, repoRoot} from '../../support/paths.js'
import {parseInventory} from '../../../src/inventory/load.js'
import {INVENTORY_YAML, labInventory} from './fixtures.js'

const dir = join(fixturesDir, 'chaos', 'gameday')

describe('game-day files', () => {
  it('report every problem at once as FILE:LINE:COL: PATH: message', () => {
    const text = readFileSync(join(dir, 'invalid-many.yaml'), 'utf8')
    let err: unknown
    try {
      parseGameDay(text, 'invalid-many.yaml')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GameDayError)
    expect((err as GameDayError).exit).toBe(2)
    // The fault list is the registry's (a new fault is one file: no golden to edit).
    const expected = readFileSync(join(dir, 'invalid-many.expected.txt'), 'utf8').replace(
      '{FAULT_IDS}',
      FAULTS.map((f) => f.id).join(', '),
    )
    expect((err as Error).message + '\n').toBe(expected)
  })

  it('say so for an empty file, a YAML syntax error and a missing file', async () => {
    expect(() => parseGameDay('  \n', 'e.yaml')).toThrow(
      'e.yaml:1:1: expected a game day (a mapping with name and steps), found an empty file',
    )
    expect(() => parseGameDay('name: x\nsteps: [\n', 's.yaml')).toThrow(/^s\.yaml:\d+:\d+: /)
    await expect(loadGameDay(join(dir, 'nope.yaml'))).rejects.toThrow(
      /nope\.yaml: cannot read the game day: no such file/,
    )
    expect(() => parseGameDay('name: x\n', 'm.yaml')).toThrow('m.yaml:1:1: missing key "steps"')
  })

  const examples = readdirSync(join(repoRoot, 'examples', 'gamedays')).filter((f) => f.endsWith('.yaml'))
  it.each(examples)('the shipped example %s is valid, and every step names a known fault', async (f) => {
    const g = await loadGameDay(join(repoRoot, 'examples', 'gamedays', f))
    expect(g.steps.length).toBeGreaterThan(0)
    for (const s of g.steps) if (s.kind !== 'experiment') expect(selectionFor(s).fault.id).toBe(s.fault)
    // A pg-write workload needs a database in the inventory: the lab's db nodes.
    const inv = g.workload?.raw['pg-write']
      ? parseInventory(
          INVENTORY_YAML.replaceAll('roles: [cluster]', 'roles: [cluster, db]'),
          '/lab/inventory.yaml',
        )
      : labInventory()
    expect(gameDayWorkload(g, inv)).toBeDefined()
  })

  it('resolve the inventory relative to the file, and durations to milliseconds', () => {
    const g = parseGameDay(
      'name: x\ninventory: ../lab.yaml\nworkload: {tcp: "198.18.2.100:80", rate: 50, timeout: 500ms}\nsteps:\n  - {name: s, fault: netem, target: n1, with: {network: heartbeat, delay: 200ms, loss: "5%"}, duration: 1m}\n',
      '/x/games/g.yaml',
    )
    expect(g.inventory).toBe('/x/lab.yaml')
    expect(g.steps[0]).toMatchObject({durationMs: 60_000, with: {network: 'heartbeat', delay: 200, loss: 5}})
    expect(gameDayWorkload(g, labInventory())).toEqual({
      kind: 'tcp',
      host: '198.18.2.100',
      port: 80,
      ratePerS: 50,
      timeoutMs: 500,
    })
  })

  it('render a game-day result as text and JUnit', () => {
    const g = {
      schemaVersion: 1 as const,
      kind: 'gameday' as const,
      name: 'gd',
      file: '/x/g.yaml',
      status: 'error' as const,
      startedAt: '2026-11-26T10:00:00.000Z',
      finishedAt: '2026-11-26T10:05:00.000Z',
      steadyStateBefore: [{probe: 'cluster healthy', ok: false, detail: 'node n2 is offline'}],
      steadyStateAfter: [],
      experiments: [],
      skipped: ['a'],
      rollbacks: [{node: 'n1', run: 'crm_resource --cleanup', ok: true, detail: 'ok'}],
      errors: ['steady state not met before the first step: cluster healthy: node n2 is offline'],
    }
    expect(renderGameDayText(g)).toMatch(/FAIL cluster healthy: node n2 is offline[\s\S]*GAME DAY {2}ERROR/)
    const xml = renderGameDayJUnit(g)
    expect(xml).toContain('name="steady state before: cluster healthy"')
    expect(xml).toContain('<skipped')
  })
})
