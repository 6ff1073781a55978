/**
 * The etcd observer's pure parts on etcd's real output (test/fixtures/outputs/etcd-log: a one-member
 * election in both of etcd's log formats) and on the poll's `etcdctl endpoint status -w json`.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseEtcdLog, parseEtcdPoll} from '../../../src/chaos/etcd-observe.js'
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

describe('etcd poll: the local member’s status', () => {
  // uint64 ids compared as text: JSON.parse would round them.
  const status = (member: string, leader: string): string =>
    `[{"Endpoint":"127.0.0.1:2379","Status":{"header":{"cluster_id":5203463935802066695,"member_id":${member},"revision":5,"raft_term":4},"version":"3.4.23","dbSize":20480,"leader":${leader},"raftIndex":9,"raftTerm":4,"raftAppliedIndex":9,"dbSizeInUse":20480}}]`

  it('says leader or follower with the raft term, and not answering when etcdctl fails', () => {
    expect(parseEtcdPoll(status('17812263624813434881', '17812263624813434881'), 0)).toBe('leader term 4')
    expect(parseEtcdPoll(status('17812263624813434881', '17812263624813434882'), 0)).toBe('follower term 4')
    expect(parseEtcdPoll('', 1)).toBe('etcd not answering')
    expect(parseEtcdPoll('garbage', 0)).toBe('etcd status not understood')
  })
})
