import {describe, expect, it} from 'vitest'

import {GameDayError, parseGameDay} from '../../../src/chaos/gameday/file.js'
import {inventoryProblems} from '../../../src/chaos/gameday/inventory-check.js'
import {MAX_DURATION_MS, parseDurationMs, requireDurationMs} from '../../../src/core/duration.js'
import {InputError} from '../../../src/core/errors.js'
import {labInventory} from './fixtures.js'

const GAME_DAY = `name: typos
steps:
  - name: cut
    fault: link-pull
    target: n9
    with: {network: hearbeat}
    duration: 10s
  - name: split
    fault: partition
    with: {groups: "n1,n7/n2,n8"}
    duration: 10s
  - name: slow
    fault: netem
    target: "@service"
    with: {network: 198.18.1.0/24, delay: 100ms}
    duration: 10s
  - name: isolate
    fault: partition
    with: {isolate: n5}
    duration: 10s
rollbacks:
  - node: any
    run: "true"
  - node: ghost
    run: "true"
`

/** The problems of a game day parsed from text, as FILE:LINE:COL: PATH: message lines. */
function fileErrors(text: string): string[] {
  try {
    parseGameDay(text, 'gd.yaml')
  } catch (e) {
    expect(e).toBeInstanceOf(GameDayError)
    return (e as GameDayError).message.split('\n')
  }
  return []
}

describe('a game day checked against its inventory before anything connects', () => {
  it('names every unknown node and network at its line and column, and nothing that is right', () => {
    const g = parseGameDay(GAME_DAY, 'gd.yaml')
    const lines = new GameDayError('gd.yaml', inventoryProblems(g, labInventory())).message.split('\n')
    expect(lines).toEqual([
      'gd.yaml:5:13: steps[0].target: expected a node of the inventory (n1, n2, n3) or @service, @dc, @replica, found "n9"',
      'gd.yaml:6:21: steps[0].with.network: expected a network of the inventory (public, heartbeat, management) or a CIDR, found "hearbeat"',
      'gd.yaml:10:20: steps[1].with.groups: expected groups of inventory nodes (n1, n2, n3), found n7, n8 in "n1,n7/n2,n8"',
      'gd.yaml:19:21: steps[3].with.isolate: expected a node of the inventory (n1, n2, n3) or @service, @dc, @replica, found "n5"',
      'gd.yaml:24:11: rollbacks[1].node: expected a node of the inventory (n1, n2, n3), any or all, found "ghost"',
    ])
  })

  it('finds nothing in a game day whose nodes and networks all exist (roles are resolved at run time)', () => {
    const ok = GAME_DAY.replace('n9', 'n2')
      .replace('hearbeat', 'heartbeat')
      .replace('n1,n7/n2,n8', 'n1,n2/n3')
      .replace('isolate: n5', 'isolate: "@dc"')
      .replace('node: ghost', 'node: n3')
    expect(inventoryProblems(parseGameDay(ok, 'gd.yaml'), labInventory())).toEqual([])
  })
})

describe('game-day values the schema lets through', () => {
  const base = (extra: string): string =>
    `name: limits\n${extra}steps:\n  - name: a\n    fault: link-pull\n    target: n1\n    with: {network: heartbeat}\n    duration: 10s\n`

  it('a port above 65535 in a tcp probe or workload is an error at its line', () => {
    expect(
      fileErrors(base('workload: {tcp: "198.18.2.100:99999"}\nsteadyState:\n  - tcp: "198.18.2.100:0"\n')),
    ).toEqual([
      'gd.yaml:2:17: workload.tcp: expected a port from 1 to 65535, found 99999',
      'gd.yaml:4:10: steadyState[0].tcp: expected a port from 1 to 65535, found 0',
    ])
  })

  it('a duration longer than a timer can wait is an error at its line, for a step and for an option', () => {
    const text = base('')
      .replace('duration: 10s', 'duration: 25d')
      .replace('{network: heartbeat}', '{network: heartbeat}')
    expect(fileErrors(text)).toEqual([
      'gd.yaml:7:15: steps[0].duration: expected at most 24d (the longest a timer can wait), found "25d"',
    ])
    const netem = `name: n\nsteps:\n  - name: a\n    fault: netem\n    target: n1\n    with: {network: heartbeat, delay: 100ms, jitter: 9999999999999999999999999d}\n    duration: 10s\n`
    expect(fileErrors(netem)).toEqual([
      'gd.yaml:6:54: steps[0].with.jitter: expected at most 24d (the longest a timer can wait), found "9999999999999999999999999d"',
    ])
  })
})

describe('durations', () => {
  it('an overflowing duration is not a duration, and one longer than a timer waits is refused with its flag', () => {
    expect(parseDurationMs('9'.repeat(400) + 'd')).toBeUndefined()
    expect(parseDurationMs('9'.repeat(400))).toBeUndefined()
    expect(requireDurationMs('24d', '--duration')).toBe(24 * 86_400_000)
    expect(24 * 86_400_000).toBeLessThan(MAX_DURATION_MS)
    expect(() => requireDurationMs('25d', '--duration')).toThrow(InputError)
    expect(() => requireDurationMs('25d', '--duration')).toThrow('--duration: expected at most 24d')
  })
})
