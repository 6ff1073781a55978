/**
 * The etcd observer's pure parts on etcd's real output (test/fixtures/outputs/etcd-log: a one-member
 * election in both of etcd's log formats) and on the poll's `etcdctl endpoint status -w json`.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseEtcdLog, parseEtcdPoll} from '../../../src/chaos/observe/etcd.js'
import {fixturesDir} from '../../support/paths.js'

const log = (f: string): string => readFileSync(join(fixturesDir, 'outputs', 'etcd-log', f), 'utf8')
const at = (t: number): string => new Date(t).toISOString().slice(11, 23)

/** What the log script prints first: etcdctl member list, each line prefixed. */
const MEMBERS =
  '#member 2e1259d415f2a040, started, fmt, http://127.0.0.1:23800, http://127.0.0.1:23790, false\n'

describe('etcd leader election from its own log', () => {
  it('reads capnslog (3.4): the election, the member elected (named from the member list), the leadership transfer skipped on stop', () => {
    const p = parseEtcdLog('p1', MEMBERS + log('single-capnslog.out'))
    expect(p.map((e) => `${at(e.t)} ${e.what} ±${e.resolutionMs ?? 0}`)).toEqual([
      '18:09:27.000 election started (term 1) ±1000',
      '18:09:27.000 became leader (term 2) ±1000',
      '18:09:27.000 elected leader fmt (term 2) ±1000',
      '18:09:32.912 leadership transfer skipped ±1',
    ])
    expect(p.every((e) => e.node === 'p1' && e.system === 'etcd' && e.source === 'log')).toBe(true)
  })

  it('reads zap (JSON lines) the same way, at millisecond resolution, and keeps a raw id it cannot name', () => {
    const p = parseEtcdLog('p1', log('single-zap.out'))
    expect(p.map((e) => `${at(e.t)} ${e.what} ±${e.resolutionMs ?? 0}`)).toEqual([
      '18:09:44.452 election started (term 1) ±1',
      '18:09:44.452 became leader (term 2) ±1',
      '18:09:44.452 elected leader 2e1259d415f2a040 (term 2) ±1',
      '18:09:48.727 leadership transfer skipped ±1',
    ])
  })

  it('ignores lines that are neither format (the deprecation warning, binary noise)', () => {
    expect(parseEtcdLog('p1', "[WARNING] Deprecated '--logger=capnslog'\n\u0000\u00ff{not json\n")).toEqual(
      [],
    )
  })
})

describe('etcd leader election on the lab (profile patroni, the leader p1’s member stopped at 18:20:00.5)', () => {
  const lab = (f: string): string => log(join('lab-leader-stopped', f))
  const members = (n: string): string =>
    lab(`${n}-member-list.txt`)
      .split('\n')
      .filter(Boolean)
      .map((l) => `#member ${l}`)
      .join('\n')
  const phases = (n: string): string[] =>
    parseEtcdLog(n, `${members(n)}\n${lab(`${n}-etcd.out`)}`)
      .filter((e) => e.t >= Date.UTC(2026, 11, 7, 18, 20, 0) && e.t < Date.UTC(2026, 11, 7, 18, 20, 20))
      .map((e) => `${at(e.t)} ${e.what}`)

  it('reads the stopped leader: it hands leadership to p2 before it exits, then loses its peers', () => {
    // In log order: the transfer line (µs) comes before the raft lines of the same second (1 s resolution).
    expect(phases('p1')).toEqual([
      '18:20:00.241 leadership transfer p1 → p2',
      '18:20:00.000 lost leader p1 (term 36)',
      '18:20:00.000 elected leader p2 (term 36)',
      '18:20:00.350 peer p3 unreachable',
      '18:20:00.353 peer p2 unreachable',
      '18:20:15.737 peer p3 reachable',
      '18:20:15.768 peer p2 reachable',
      '18:20:15.000 elected leader p2 (term 36)',
    ])
  })

  it('reads the new leader p2 and the follower p3 elect p2 at term 36 and see p1 go', () => {
    expect(phases('p2')).toEqual([
      '18:20:00.000 lost leader p1 (term 36)',
      '18:20:00.000 became leader (term 36)',
      '18:20:00.000 elected leader p2 (term 36)',
      '18:20:00.358 peer p1 unreachable',
      '18:20:15.759 peer p1 reachable',
    ])
    expect(phases('p3')).toEqual([
      '18:20:00.000 lost leader p1 (term 36)',
      '18:20:00.000 elected leader p2 (term 36)',
      '18:20:00.358 peer p1 unreachable',
      '18:20:15.735 peer p1 reachable',
    ])
  })
})

describe('etcd poll: the local member’s status', () => {
  it('reads the lab’s endpoint status after the run: p2 then p3 led (p1 and p2 follow p3), term 37', () => {
    const st = (n: string): string =>
      parseEtcdPoll(log(join('lab-leader-stopped', `${n}-endpoint-status.json`)), 0)
    expect(['p1', 'p2', 'p3'].map(st)).toEqual(['follower term 37', 'follower term 37', 'leader term 37'])
  })

  it('says etcd not answering when etcdctl fails, and not understood for other output', () => {
    expect(parseEtcdPoll('', 1)).toBe('etcd not answering')
    expect(parseEtcdPoll('garbage', 0)).toBe('etcd status not understood')
  })
})
