/**
 * Data-tier experiments as game-day steps (`experiment:`): parsed with their options typed from the one
 * declaration (run/data-plan.ts DATA_OPTIONS), every mistake reported at FILE:LINE:COL by the same
 * path as a fault step (schema, semantic checks, the inventory), the schema and `chaos data`'s flags
 * derived from that declaration, and the dry-run text with every command per node.
 */
import {describe, expect, it} from 'vitest'

import ChaosData from '../../../src/commands/chaos/data.js'
import {GameDayError, parseGameDay, type ExperimentStep} from '../../../src/chaos/gameday/file.js'
import {inventoryProblems} from '../../../src/chaos/gameday/inventory-check.js'
import {gameDaySchema} from '../../../src/chaos/gameday/schema.js'
import {planGaleraPartition} from '../../../src/chaos/faults/parts/galera-partition.js'
import {
  chooseData,
  DATA_EXPERIMENTS,
  DATA_OPTIONS,
  dataArgsOf,
  dataDryRun,
} from '../../../src/chaos/run/data-plan.js'
import {flagName, optionSchema} from '../../../src/chaos/plan/options.js'
import {renderFaultDryRun} from '../../../src/chaos/report/dry-run.js'
import type {Inventory} from '../../../src/core/types.js'
import {parseInventory} from '../../../src/inventory/load.js'
import {INVENTORY_YAML, okPlan, planInput} from './fixtures.js'

/** The chaos fixtures' 3-node lab as a Galera cluster with a database (what the galera lab profile declares). */
const galera = (): Inventory =>
  parseInventory(
    INVENTORY_YAML.replace('stack: pacemaker', 'stack: generic')
      .replaceAll('roles: [cluster]', 'roles: [galera]')
      .replace('  vip: 198.18.2.100\n', '  vip: 198.18.2.100\n  database: {name: app, user: app}\n'),
    '/lab/inventory.yaml',
  )

const STEP = `name: galera
steps:
  - name: cut-g3
    experiment: galera-partition
    with: {node: n3, rate: 10}
    duration: 15s
    baseline: 2s
`

function errors(text: string, inv?: Inventory): string[] {
  try {
    const g = parseGameDay(text, 'gd.yaml')
    if (inv) throw new GameDayError('gd.yaml', inventoryProblems(g, inv))
  } catch (e) {
    if (e instanceof GameDayError) return e.message.split('\n')
    throw e
  }
  return []
}

describe('an experiment step of a game day', () => {
  it('is parsed with its options typed and defaulted from the one declaration', () => {
    const g = parseGameDay(STEP, 'gd.yaml')
    const s = g.steps[0] as ExperimentStep
    expect(s).toMatchObject({kind: 'experiment', name: 'cut-g3', experiment: 'galera-partition'})
    expect(s.with).toEqual({node: 'n3', rate: 10, writeTimeout: 3000, keepTable: false})
    expect(s.durationMs).toBe(15_000)
    expect(s.baselineMs).toBe(2000)
    expect(inventoryProblems(g, galera())).toEqual([])
  })

  it('reports each mistake at its line and column: an unknown option, a value out of range, fault-only keys, no fault or experiment, both', () => {
    const text = `name: bad
steps:
  - name: a
    experiment: galera-partition
    with: {nod: n3}
  - name: b
    experiment: galera-partition
    with:
      rate: 0
      writeTimeout: soon
  - name: c
    experiment: patroni-kill-leader
    target: n1
    expect: ["lost-writes == 0"]
  - name: d
    duration: 5s
  - name: e
    fault: evacuate
    experiment: etcd-stop-member
    target: n1
  - name: f
    experiment: mongo-step-down
`
    expect(errors(text)).toEqual([
      'gd.yaml:5:12: steps[0].with.nod: unknown key "nod" (did you mean "node"?)',
      'gd.yaml:9:13: steps[1].with.rate: expected a whole number from 1 to 1000, found 0',
      'gd.yaml:10:21: steps[1].with.writeTimeout: expected a duration such as 30s, 500ms, 2m or 1h30m, found "soon"',
      'gd.yaml:13:13: steps[2].target: an experiment step has no target: its node is with.node',
      'gd.yaml:14:13: steps[2].expect: an experiment step takes no expect (its verdict is the write accounting: lost writes, split brain)',
      'gd.yaml:15:5: steps[3]: missing key "fault" or "experiment" (a fault such as link-pull, or an experiment such as galera-partition)',
      'gd.yaml:19:17: steps[4].experiment: expected fault or experiment, not both',
      `gd.yaml:22:17: steps[5].experiment: expected one of ${DATA_EXPERIMENTS.join(', ')}, found "mongo-step-down"`,
    ])
  })

  it('is checked against the inventory before anything connects: with.node a node of the system, a database', () => {
    expect(errors(STEP.replace('node: n3', 'node: n9'), galera())).toEqual([
      'gd.yaml:5:18: steps[0].with.node: n9: not a galera node of the inventory (n1, n2, n3)',
    ])
    const noDb = parseInventory(
      INVENTORY_YAML.replace('stack: pacemaker', 'stack: generic').replaceAll(
        'roles: [cluster]',
        'roles: [galera]',
      ),
      '/lab/inventory.yaml',
    )
    expect(errors(STEP, noDb)).toEqual([
      expect.stringMatching(
        /^gd\.yaml:5:11: steps\[0\]\.with: the write workload needs a database and a user: give with\.database and with\.dbUser/,
      ),
    ])
    // The Pacemaker lab has no Patroni nodes.
    expect(errors(STEP.replace('galera-partition', 'patroni-kill-leader'), galera())).toEqual([
      'gd.yaml:4:17: steps[0].experiment: patroni-kill-leader needs the patroni nodes of the cluster in the inventory (role patroni); found none',
    ])
  })

  it('has the schema of its with: and the flags of chaos data both derived from DATA_OPTIONS', () => {
    const defs = gameDaySchema().definitions as Record<string, {properties: Record<string, unknown>}>
    expect(defs['with-experiment']?.properties).toEqual(
      Object.fromEntries(Object.entries(DATA_OPTIONS).map(([k, s]) => [k, optionSchema(s)])),
    )
    for (const k of Object.keys(DATA_OPTIONS)) expect(Object.keys(ChaosData.flags)).toContain(flagName(k))
    expect((ChaosData.flags as Record<string, {summary?: string}>)['db-user']?.summary).toBe(
      DATA_OPTIONS.dbUser.description,
    )
  })

  it('dry-runs as the experiment, its workload, then every command per node', () => {
    const inv = galera()
    const g = parseGameDay(STEP, 'gd.yaml')
    const s = g.steps[0] as ExperimentStep
    const choice = chooseData({...dataArgsOf(s.experiment, s.with), env: {}}, inv, {})
    const plan = okPlan(planGaleraPartition(planInput({inventory: inv, holdMs: s.durationMs}), choice.target))
    const text = renderFaultDryRun(dataDryRun(s.experiment, choice, 'run1', plan))
    expect(text).toMatch(
      /^# experiment galera-partition on n3 \(galera: n1, n2, n3\): cut one Galera node off/,
    )
    expect(text).toContain(
      '# workload: mariadb-write, 10 writes/s into app.hk_writes_<run id> as app on n1 198.18.2.11:3306, n2 198.18.2.12:3306, n3 198.18.2.13:3306',
    )
    for (const n of ['n1', 'n2', 'n3']) {
      expect(text).toMatch(new RegExp(`\\[${n}\\] arm dead-man on ${n}`))
      expect(text).toMatch(new RegExp(`\\[${n}\\] drop traffic to/from`))
    }
    expect(text).toMatch(/## 6\. revert[\s\S]*\[n3\]/)
    expect(text).toContain('ledger/run1.json')
  })
})
