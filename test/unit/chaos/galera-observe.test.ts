/**
 * The Galera observer's pure parts on real output: the error-log lines of a minority partition on the lab
 * (test/fixtures/outputs/galera/error-log) and the poll lines of the mariadb client.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {pollChanges} from '../../../src/chaos/observe/data.js'
import {galeraLogScript, parseGaleraLog, parseGaleraPoll} from '../../../src/chaos/observe/galera.js'
import {fixturesDir} from '../../support/paths.js'

const log = (n: string): string =>
  readFileSync(join(fixturesDir, 'outputs', 'galera', 'error-log', `${n}-partition.log`), 'utf8')
const at = (t: number): string => new Date(t).toISOString().slice(11, 19)

describe('the error-log script, run for real on a capture taken between 01:00 and 09:59', () => {
  // MariaDB pads the hour with a space ("2026-12-08  1:38:56"): compared as text with a zero-padded time,
  // every line of those hours looked earlier than the run, and the log of a run at 01:37 was read empty.
  const file = join(fixturesDir, 'outputs', 'galera', 'error-log', 'g1-startup.log')
  const since = (iso: string): string[] =>
    execFileSync('bash', ['-c', galeraLogScript(Date.parse(iso) / 1000, file)], {encoding: 'utf8'})
      .split('\n')
      .filter(Boolean)

  it('keeps the lines from the run on, with single-digit hours, and parses their phases', () => {
    const all = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(all[0]).toMatch(/^2026-12-08 {2}1:38:56 /)
    expect(since('2026-12-08T01:38:00Z')).toEqual(all)
    const later = since('2026-12-08T01:39:00Z')
    expect(later.length).toBeGreaterThan(0)
    expect(later.length).toBeLessThan(all.length)
    expect(later.every((l) => / 1:39:\d\d /.test(l))).toBe(true)
    expect(parseGaleraLog('g1', later.join('\n')).length).toBeGreaterThan(0)
    expect(since('2026-12-08T10:00:00Z')).toEqual([])
  })
})

describe('Galera failover phases from the error log', () => {
  it('reads the majority: the cut-off peer times out, is suspected, declared inactive, forgotten; a 2-member primary view; 3 members again', () => {
    const p = parseGaleraLog('g1', log('g1')).map((e) => `${at(e.t)} ${e.what}`)
    expect(p).toEqual([
      '15:47:57 peer tcp://198.18.4.13:4567 timed out',
      '15:48:00 suspects 728eb33c-985b',
      '15:48:00 declares the suspected node inactive',
      '15:48:00 view 30: primary component',
      '15:48:00 forgets 728eb33c-985b (tcp://198.18.4.13:4567)',
      '15:48:00 new component: Primary, 2 members',
      '15:48:17 view 31: primary component',
      '15:48:17 new component: Primary, 3 members',
    ])
  })

  it('reads the minority: non-primary views, SYNCED → OPEN, then primary again and synced after the heal', () => {
    const p = parseGaleraLog('g3', log('g3'))
    expect(
      p.every(
        (e) => e.node === 'g3' && e.system === 'galera' && e.source === 'log' && e.resolutionMs === 1000,
      ),
    ).toBe(true)
    const w = p.map((e) => `${at(e.t)} ${e.what}`)
    expect(w).toEqual(
      expect.arrayContaining([
        '15:48:00 view 30: non-primary component',
        '15:48:00 new component: non-Primary, 1 members',
        '15:48:00 state SYNCED → OPEN',
        '15:48:17 view 31: primary component',
        '15:48:17 state JOINER → JOINED',
        '15:48:17 synced, ready for connections',
      ]),
    )
    expect(w.indexOf('15:48:00 state SYNCED → OPEN')).toBeLessThan(
      w.indexOf('15:48:17 synced, ready for connections'),
    )
  })

  it('ignores lines that are not Galera phases or have no timestamp', () => {
    expect(parseGaleraLog('g1', 'garbage\n2026-12-07 15:48:00 0 [Note] WSREP: save pc into disk\n')).toEqual(
      [],
    )
  })
})

describe('Galera node state polls', () => {
  it('summarises the client’s status lines, and a failed client as down', () => {
    const ok =
      'wsrep_cluster_size\t1\nwsrep_cluster_status\tnon-Primary\nwsrep_local_state_comment\tInitialized\n'
    expect(parseGaleraPoll(ok, 0)).toBe('non-Primary size 1 Initialized')
    expect(parseGaleraPoll('', 1)).toBe('down')
    expect(parseGaleraPoll('', 0)).toBe('no wsrep status')
  })

  it('turns successive polls into changes that carry the window they lie in', () => {
    const polls = [
      {started: 0, ended: 10, state: 'Primary size 3 Synced'},
      {started: 500, ended: 510, state: 'Primary size 3 Synced'},
      {started: 1000, ended: 1012, state: 'non-Primary size 1 Initialized'},
    ]
    expect(pollChanges('galera', 'g3', polls)).toEqual([
      {
        t: 1012,
        node: 'g3',
        system: 'galera',
        what: 'Primary size 3 Synced → non-Primary size 1 Initialized',
        source: 'poll',
        notBefore: 500,
      },
    ])
  })
})
