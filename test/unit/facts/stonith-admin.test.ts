import {describe, expect, it} from 'vitest'

import {ParseError} from '../../../src/facts/gatherer.js'
import {
  parseStonithAdmin,
  parseStonithHistory,
  parseStonithList,
  stonithAdmin,
} from '../../../src/facts/stonith-admin.js'
import {framed} from './fixtures.js'

// No published stonith_admin capture exists in the shared corpus yet: these are
// one-line shapes taken from Pacemaker's own formatters (lib/fencing/st_output.c);
// the lab capture will add verbatim outputs.
describe('stonith-admin parser', () => {
  it('reads the registered device list and the count line', () => {
    expect(parseStonithList('check-kdump\nfence-rsa-bob\n2 fence devices found\n')).toEqual({
      devices: ['check-kdump', 'fence-rsa-bob'],
      reportedCount: 2,
    })
    expect(parseStonithList('0 fence devices found\n')).toEqual({devices: [], reportedCount: 0})
    expect(parseStonithList(' Fencing\n1 fence device found\n')).toEqual({
      devices: ['Fencing'],
      reportedCount: 1,
    })
  })

  it('reads failed, successful and pending fence events from the history XML', () => {
    const xml =
      '<pacemaker-result api-version="2.25" request="stonith_admin --history * --output-as=xml"><fence_history><fence_event action="reboot" target="node2" client="pacemaker-controld.1234" origin="node1" status="failed" exit-reason="No route to host" completed="2024-05-01 10:00:00 +02:00"/><fence_event action="off" target="node3" client="stonith_admin.1" origin="node1" status="pending" extended-status="1"/></fence_history><status code="0" message="OK"/></pacemaker-result>'
    expect(parseStonithHistory(xml).map((e) => [e.target, e.action, e.status, e.exitReason])).toEqual([
      ['node2', 'reboot', 'failed', 'No route to host'],
      ['node3', 'off', 'pending', undefined],
    ])
  })

  it('splits the two parts and keeps only failed events in failed', () => {
    const out = parseStonithAdmin(
      framed([
        {name: 'list', body: 'fence-a\n1 fence device found\n'},
        {
          name: 'history',
          body: '<pacemaker-result><fence_history><fence_event action="reboot" target="b" status="failed"/><fence_event action="reboot" target="b" status="success"/></fence_history></pacemaker-result>\n',
        },
      ]),
    )
    expect(out.devices).toEqual(['fence-a'])
    expect(out.history).toHaveLength(2)
    expect(out.failed?.map((e) => e.status)).toEqual(['failed'])
  })

  it('leaves the history undefined, not empty, when it is not XML', () => {
    const out = parseStonithAdmin(
      framed([
        {name: 'list', body: '0 fence devices found\n'},
        {name: 'history', body: 'stonith_admin: unrecognized option --output-as\n', exitCode: 64},
      ]),
    )
    expect(out.history).toBeUndefined()
    expect(out.failed).toBeUndefined()
    expect(out.historyExitCode).toBe(64)
  })

  it('gives a parse error when the fencer cannot be reached', () => {
    expect(() =>
      parseStonithAdmin(
        framed([
          {name: 'list', body: 'Could not connect to fencer\n', exitCode: 102},
          {name: 'history', body: ''},
        ]),
      ),
    ).toThrow(ParseError)
  })

  it('runs both commands in one snippet', () => {
    expect(stonithAdmin.script).toContain('--list-registered')
    expect(stonithAdmin.script).toContain("--history '*' --verbose --output-as=xml")
  })
})
