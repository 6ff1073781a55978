/**
 * fencing.history on lab captures (examples/) and on the text form of the history: a failed action fails, a
 * recent fence warns with who did it, a history that is not XML is "could not tell" — never "failed (exit 0)".
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {framedFile, runCheck, statuses} from '../../support/check-harness.js'
import {repoRoot} from '../../support/paths.js'

const sa = (cap: string, node = 'n1'): string =>
  readFileSync(join(repoRoot, 'examples', cap, node, 'stonith-admin.out'), 'utf8')
const captured = (cap: string): Date =>
  new Date(
    (
      JSON.parse(readFileSync(join(repoRoot, 'examples', cap, 'capture.json'), 'utf8')) as {
        capturedAt: string
      }
    ).capturedAt,
  )

describe('fencing.history', () => {
  it('passes the healthy lab, whose history is empty', () => {
    const r = runCheck('fencing.history', [{name: 'n1', outputs: {'stonith-admin': sa('lab-healthy')}}])
    expect(statuses(r)).toEqual(['pass'])
  })

  it('fails on the failed reboot of the fence-failed capture, naming the target and when', () => {
    const r = runCheck('fencing.history', [{name: 'n1', outputs: {'stonith-admin': sa('lab-fence-failed')}}])
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(/^1 failed fence action\(s\): reboot of n3 \(20\d\d-\d\d-\d\d \S+Z\)$/)
  })

  it('warns about a fence within the window, and not once the window has passed', () => {
    const cap = 'lab-node-off-fenced'
    const out = [{name: 'n1', outputs: {'stonith-admin': sa(cap)}}]
    const now = captured(cap)
    const r = runCheck('fencing.history', out, {now})
    expect(statuses(r)).toEqual(['warn'])
    expect(r[0]?.message).toMatch(
      /n3 was fenced \(reboot\) at \S+ \S+Z \(0 min ago\) by n\d for pacemaker-controld@n\d/,
    )
    const later = new Date(now.getTime() + 25 * 3_600_000)
    expect(statuses(runCheck('fencing.history', out, {now: later}))).toEqual(['pass'])
    expect(
      statuses(runCheck('fencing.history', out, {now: later, params: {recentFenceWindowHours: 48}})),
    ).toEqual(['warn'])
  })

  it('cannot tell, and says so, when the history is the text form instead of XML', () => {
    // Verbatim text form of `stonith_admin --history '*' --verbose` (Pacemaker 2.1.5, the lab's minority state).
    const text =
      "reboot of n1 failed: delegate=n2, client=pacemaker-controld.109, origin=n2, completed='2026-12-07 14:29:25Z'"
    const list = framedFile('list', 'fence-n1\nfence-n3\n2 fence devices found\n')
    const out = `${list}${framedFile('history', text)}`
    const r = runCheck('fencing.history', [{name: 'n1', outputs: {'stonith-admin': out}}])
    expect(statuses(r)).toEqual(['error'])
    expect(r[0]?.message).toMatch(
      /^stonith_admin --history printed something that is not XML: "reboot of n1 failed/,
    )
    expect(r[0]?.message).not.toMatch(/exit 0/)
    expect(r[0]?.remediation).toMatch(/could not tell/)
  })
})
