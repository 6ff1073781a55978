/**
 * disk-fill, the fault added in one file (src/chaos/faults/disk-fill.ts): its
 * plan, and its node-side steps run for real with bash on this machine, in a
 * throwaway directory (and, as root, on a 2 MiB tmpfs of a private mount
 * namespace, to show the write stops when the filesystem is full).
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import diskFill, {fillFile} from '../../../src/chaos/faults/disk-fill.js'
import type {AnyFault} from '../../../src/chaos/faults/parts/define.js'
import {asKey, optionValues} from '../../../src/chaos/plan/options.js'
import type {FaultPlan, Step} from '../../../src/chaos/plan/types.js'
import {okPlan, planOf, RUN_ID} from './fixtures.js'

const fault = diskFill as unknown as AnyFault
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, {recursive: true, force: true})))

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-disk-fill-'))
  dirs.push(d)
  return d
}

/** A node step's script run as the node would run it (bash), here. */
function run(step: Step | undefined): number {
  if (step?.kind !== 'node') throw new Error('expected a node step')
  return spawnSync('bash', ['-c', step.script], {stdio: 'ignore'}).status ?? -1
}

function planFor(path: string, size: string): FaultPlan {
  return okPlan(planOf(fault, 'n2', {path, size}))
}

describe('disk-fill', () => {
  it('plans one file named after the run, removed on revert and by the dead-man on the target', () => {
    const plan = planFor('/tmp', '16M')
    const file = fillFile('/tmp', RUN_ID)
    expect(file).toBe(`/tmp/.hacheck-fill-${RUN_ID}`)
    expect(plan).toMatchObject({fault: 'disk-fill', targets: ['n2'], reverts: true, expectFenced: []})
    expect(plan.summary).toBe('fill the filesystem of /tmp on n2 (at most 16 MiB) for 30s, then free it')
    expect(plan.revert).toEqual([{kind: 'node', node: 'n2', what: `remove ${file}`, script: `rm -f ${file}`}])
    expect(plan.deadmen).toMatchObject([{kind: 'node', node: 'n2', undo: `rm -f ${file}`}])
  })

  it('refuses a relative path, a path with shell syntax or .., and a size over its bound', () => {
    const values = (o: Record<string, unknown>): unknown =>
      optionValues(fault.options, fault.rules ?? [], o, asKey)
    expect(() => values({path: 'tmp'})).toThrow(/an absolute directory such as \/tmp/)
    expect(() => values({path: '/tmp/$(reboot)'})).toThrow(/an absolute directory/)
    expect(() => values({path: '/var/../etc'})).toThrow(/an absolute directory/)
    expect(() => values({path: '/tmp', size: '20G'})).toThrow(/at most 16GiB/)
    expect(values({path: '/tmp', size: '1M'})).toEqual({path: '/tmp', size: 1024 * 1024})
  })

  it('writes exactly --size when there is room, verifies, reverts and verifies the revert', () => {
    const dir = scratch()
    const plan = okPlan(planOf(fault, 'n2', {path: dir, size: '1M'}))
    const file = fillFile(dir, RUN_ID)
    expect(run(plan.verify[0])).not.toBe(0) // not there before the inject
    expect(run(plan.inject[0])).toBe(0)
    expect(statSync(file).size).toBe(1024 * 1024)
    expect(run(plan.verify[0])).toBe(0)
    expect(run(plan.verifyReverted[0])).not.toBe(0)
    expect(run(plan.revert[0])).toBe(0)
    expect(run(plan.verifyReverted[0])).toBe(0)
    expect(readdirSync(dir)).toEqual([])
    // The revert again (a replayed ledger, the dead-man after the revert) is harmless.
    expect(run(plan.revert[0])).toBe(0)
  })

  it('fails the inject, writing nothing, when the directory does not exist', () => {
    const dir = join(scratch(), 'missing')
    const plan = okPlan(planOf(fault, 'n2', {path: dir, size: '1M'}))
    expect(run(plan.inject[0])).toBe(3)
  })

  it.skipIf(process.getuid?.() !== 0)(
    'stops at a full filesystem: a 2 MiB tmpfs is full, and free again after the revert (root: a private mount namespace)',
    () => {
      const dir = scratch()
      const plan = okPlan(planOf(fault, 'n2', {path: dir, size: '64M'}))
      const [inject, revert] = [plan.inject[0], plan.revert[0]] as [Step, Step]
      if (inject.kind !== 'node' || revert.kind !== 'node') throw new Error('node steps expected')
      const out = execFileSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'bash',
          '-c',
          [
            `mount -t tmpfs -o size=2m hacheck-fill-test ${dir}`,
            inject.script,
            `echo "avail=$(stat -f -c %a ${dir}) size=$(stat -c %s ${fillFile(dir, RUN_ID)})"`,
            revert.script,
            `echo "after=$(ls -A ${dir} | wc -l)"`,
          ].join('\n'),
        ],
        {encoding: 'utf8'},
      )
      expect(out).toMatch(/^avail=0 size=2097152\nafter=0\n$/)
    },
  )
})
