/**
 * Chaos leases: the pure rules, and the lease directory used by two real
 * processes (this test and a child node process holding the lease), with
 * renewal, release, expiry takeover and loss detection.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {IncompleteError} from '../../../src/core/errors.js'
import {acquireLease, readLeaseState, releaseOrphanedLeases} from '../../../src/lease/file-store.js'
import {decideLease, leaseRecord, leaseTtlMs, type LeaseRecord} from '../../../src/lease/policy.js'
import {repoRoot} from '../../support/paths.js'

const tmps: string[] = []
afterAll(() => {
  for (const d of tmps) rmSync(d, {recursive: true, force: true})
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-lease-'))
  tmps.push(d)
  return d
}

const owner = {hostname: 'ctl-a', pid: 4242, runId: 'run-a'}
const T = Date.parse('2026-12-07T02:30:00Z')
const rec = (over: Partial<LeaseRecord> = {}): LeaseRecord => ({
  ...leaseRecord('prod-a', 3, owner, T, 60_000),
  ...over,
})

describe('the lease rules', () => {
  it('acquire a cluster nobody leased, or whose last lease was released', () => {
    expect(decideLease({kind: 'none'}, T)).toEqual({action: 'acquire', generation: 1})
    expect(decideLease({kind: 'record', record: rec(), released: true}, T)).toEqual({
      action: 'acquire',
      generation: 4,
    })
  })

  it('refuse a lease another controller holds, naming it and the expiry', () => {
    const d = decideLease({kind: 'record', record: rec(), released: false}, T + 59_999)
    expect(d).toEqual({
      action: 'refuse',
      reason:
        'cluster prod-a is leased to ctl-a pid 4242 (run run-a) until 2026-12-07T02:31:00.000Z: another chaos run is injecting into it',
    })
  })

  it('take over a lease its holder stopped renewing, once it expired', () => {
    expect(decideLease({kind: 'record', record: rec(), released: false}, T + 60_000)).toEqual({
      action: 'takeover',
      generation: 4,
      from: rec(),
    })
    const next = leaseRecord('prod-a', 4, {...owner, hostname: 'ctl-b'}, T + 60_000, 60_000, rec())
    expect(next.takenOverFrom).toEqual({owner, expiresAt: '2026-12-07T02:31:00.000Z', generation: 3})
  })

  it('never take over a record it cannot read: it may be a live lease', () => {
    const d = decideLease(
      {kind: 'unreadable', generation: 7, file: '/l/000000000007.json', why: 'bad JSON'},
      T,
    )
    expect(d).toMatchObject({
      action: 'refuse',
      reason: expect.stringMatching(/cannot be read \(bad JSON\).*remove it by hand/),
    })
  })

  it('outlive the node-side dead-man: a TTL of at least 60 s and three dead-man timeouts', () => {
    expect(leaseTtlMs(10)).toBe(60_000)
    expect(leaseTtlMs(30)).toBe(90_000)
  })
})

/** Takes the lease in a separate node process, which exits without releasing it (a crashed controller). */
function leaseInChild(dir: string, cluster: string, ttlMs: number, key?: string): void {
  const script = join(tmp(), 'hold.mts')
  writeFileSync(
    script,
    `import {acquireLease} from ${JSON.stringify(join(repoRoot, 'src/lease/file-store.ts'))}\n` +
      `acquireLease({dir: ${JSON.stringify(dir)}, cluster: ${JSON.stringify(cluster)}, ${key ? `key: ${JSON.stringify(key)}, ` : ''}runId: 'child-run', ttlMs: ${ttlMs}})\n` +
      'process.exit(0)\n',
  )
  execFileSync('node', ['--import', 'tsx', script], {cwd: repoRoot, stdio: 'pipe'})
}

describe('the lease directory', () => {
  it('lets one controller in and refuses a second one, naming the holder', () => {
    const dir = tmp()
    leaseInChild(dir, 'prod-a', 60_000)
    let err: unknown
    try {
      acquireLease({dir, cluster: 'prod-a', runId: 'mine', ttlMs: 60_000})
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(IncompleteError)
    expect((err as IncompleteError).code).toBe('cluster-leased')
    expect((err as Error).message).toMatch(
      /^chaos lease: cluster prod-a is leased to .* pid \d+ \(run child-run\) until /,
    )
    const other = acquireLease({dir, cluster: 'prod-b', runId: 'mine', ttlMs: 60_000})
    expect(other.record.generation).toBe(1)
    other.release()
  })

  it('is keyed by the cluster identity when known: another inventory name for the same cluster is refused', () => {
    const dir = tmp()
    leaseInChild(dir, 'prod-a', 60_000, 'corosync:0123456789abcdef')
    expect(() =>
      acquireLease({
        dir,
        cluster: 'prod-a-eu',
        key: 'corosync:0123456789abcdef',
        runId: 'mine',
        ttlMs: 60_000,
      }),
    ).toThrow(/cluster prod-a is leased to /)
    acquireLease({dir, cluster: 'prod-a', runId: 'mine', ttlMs: 60_000}).release()
  })

  it('takes over the lease of a controller that died, once it expired, and says whose it was', () => {
    const dir = tmp()
    leaseInChild(dir, 'prod-a', 60_000)
    const h = acquireLease({
      dir,
      cluster: 'prod-a',
      runId: 'mine',
      ttlMs: 60_000,
      now: () => Date.now() + 61_000,
    })
    expect(h.record.generation).toBe(2)
    expect(h.record.takenOverFrom?.owner.runId).toBe('child-run')
    h.release()
    const state = readLeaseState(dir, 'prod-a')
    expect(state).toMatchObject({kind: 'record', released: true, record: {generation: 2}})
  })

  it('is shared by nested runs of one process (a game day and its steps), released by the last', () => {
    const dir = tmp()
    const outer = acquireLease({dir, cluster: 'prod-a', runId: 'gameday', ttlMs: 60_000})
    const inner = acquireLease({dir, cluster: 'prod-a', runId: 'step-1', ttlMs: 60_000})
    expect(inner.record.generation).toBe(outer.record.generation)
    inner.release()
    expect(readLeaseState(dir, 'prod-a')).toMatchObject({released: false})
    outer.release()
    expect(readLeaseState(dir, 'prod-a')).toMatchObject({released: true})
    expect(acquireLease({dir, cluster: 'prod-a', runId: 'next', ttlMs: 60_000}).record.generation).toBe(2)
  })

  it('renews the lease while it is held, and tells the holder when another controller took it over', async () => {
    const dir = tmp()
    let lost = 0
    const h = acquireLease({dir, cluster: 'prod-a', runId: 'slow', ttlMs: 1200, onLost: () => lost++})
    const first = h.record.expiresAt
    await new Promise((r) => setTimeout(r, 700))
    expect(h.record.expiresAt > first).toBe(true)
    expect(JSON.parse(readFileSync(join(dir, 'prod-a', '000000000001.json'), 'utf8')).expiresAt).toBe(
      h.record.expiresAt,
    )
    // Another controller took the cluster over (as it would after missed renewals): generation 2 appears.
    writeFileSync(
      join(dir, 'prod-a', '000000000002.json'),
      JSON.stringify(leaseRecord('prod-a', 2, owner, Date.now(), 60_000)),
    )
    await new Promise((r) => setTimeout(r, 700))
    expect(lost).toBe(1)
    expect(h.lost).toBe(true)
    h.release()
    expect(existsSync(join(dir, 'prod-a', '000000000001.released'))).toBe(false)
  })

  it('says which directory it cannot use, and how to choose another', () => {
    const file = join(tmp(), 'not-a-dir')
    writeFileSync(file, 'x')
    expect(() => acquireLease({dir: file, cluster: 'c', runId: 'r', ttlMs: 60_000})).toThrow(
      new RegExp(`^chaos lease: cannot use the lease directory ${file}: .*not a directory`),
    )
  })

  it('keeps the last five generations only', () => {
    const dir = tmp()
    for (let i = 0; i < 8; i++) acquireLease({dir, cluster: 'c', runId: `r${i}`, ttlMs: 60_000}).release()
    const gens = readdirSync(join(dir, 'c')).filter((f) => f.endsWith('.json'))
    expect(gens).toEqual([
      '000000000004.json',
      '000000000005.json',
      '000000000006.json',
      '000000000007.json',
      '000000000008.json',
    ])
  })

  it('is released by chaos revert when its controller on this host is gone and left no ledger', () => {
    const dir = tmp()
    leaseInChild(dir, 'prod-a', 60_000)
    const state = readLeaseState(dir, 'prod-a')
    if (state.kind !== 'record') throw new Error('no lease record')
    const live = acquireLease({dir, cluster: 'prod-b', runId: 'mine', ttlMs: 60_000})
    // Its ledger is still there (not reverted yet): the lease stays.
    expect(releaseOrphanedLeases({dir, busyPids: new Set([state.record.owner.pid])})).toEqual([])
    expect(releaseOrphanedLeases({dir, busyPids: new Set()})).toEqual(['prod-a'])
    expect(readLeaseState(dir, 'prod-a')).toMatchObject({released: true})
    expect(readLeaseState(dir, 'prod-b')).toMatchObject({released: false})
    live.release()
  })
})
