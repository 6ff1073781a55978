/** What the chaos reports carry besides metrics: split brain, the configuration in force, log excerpts, the schema. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {XMLValidator} from 'fast-xml-parser'
import {describe, expect, it} from 'vitest'

import {renderReport} from '../../../src/chaos/cli/command.js'
import {configInForce} from '../../../src/chaos/measure/config.js'
import {splitBrainWindows} from '../../../src/chaos/measure/metrics.js'
import {
  LOG_PHASE_RE,
  logExcerpts,
  logPhaseEvents,
  parseLogSlice,
  type NodeLogLine,
} from '../../../src/chaos/observe/pacemaker-log.js'
import {renderChaosMarkdown} from '../../../src/chaos/report/markdown.js'
import {eventLabel, laneOf, placeLabels} from '../../../src/chaos/report/timeline-svg.js'
import type {ChaosResult} from '../../../src/chaos/measure/result.js'
import {buildResult} from '../../../src/chaos/measure/build.js'
import type {TimelineEvent} from '../../../src/chaos/timeline.js'
import {parseCib} from '../../../src/facts/cibadmin.js'
import {parseCmap, totemTimings} from '../../../src/facts/corosync-cmapctl.js'
import {repoRoot} from '../../support/paths.js'
import {schemaValidator} from '../../support/schema.js'
import {linkPullResult, planInput} from './fixtures.js'

const T0 = Date.parse('2026-11-26T10:11:12Z')
const lab = (f: string): string => readFileSync(join(repoRoot, 'examples', 'lab-healthy', 'n1', f), 'utf8')

/** A partition where n1 keeps the VIP while n2 takes it over: two holders for 1.5 s. */
function splitTimeline(): TimelineEvent[] {
  const tl: TimelineEvent[] = [{kind: 'fault', t: T0, fault: 'link-pull', phase: 'injected', target: ['n1']}]
  for (let t = -2000; t <= 20_000; t += 500) {
    const holders = t < 8000 ? ['n1'] : t < 9500 ? ['n1', 'n2'] : ['n2']
    tl.push({kind: 'cluster', t: T0 + t, phase: 'vip-holders', source: 'ip-addr', holders})
  }
  for (let t = -2000; t <= 20_000; t += 100)
    tl.push({kind: 'probe', t: T0 + t, probe: 'http', ok: t < 7000 || t > 9700, latencyMs: 3})
  tl.push({
    kind: 'cluster',
    t: T0 + 7300,
    phase: 'node-lost',
    node: 'n1',
    source: 'pacemaker-log',
    detail: 'n2 pacemaker-controld: Node n1 state is now lost',
  })
  tl.push({kind: 'fault', t: T0 + 15_000, fault: 'link-pull', phase: 'reverted', target: ['n1']})
  return tl.sort((a, b) => a.t - b.t)
}

function splitResult(extra: Partial<Parameters<typeof buildResult>[1]> = {}): ChaosResult {
  const inv = planInput().inventory
  return linkPullResult(
    splitTimeline(),
    T0,
    {workload: {kind: 'http', url: 'http://198.18.2.100/', ratePerS: 10, timeoutMs: 800}},
    {
      config: configInForce(
        parseCib(lab('cibadmin.out')),
        totemTimings(parseCmap(lab('corosync-cmapctl.out'))),
        inv.cluster.objectives,
        'n2',
      ),
      logLines: [
        {node: 'n2', t: T0 + 7290, daemon: 'pacemaker-controld', level: 'info', message: 'Peer n1 left us'},
        {
          node: 'n2',
          t: T0 + 7300,
          daemon: 'pacemaker-controld',
          level: 'notice',
          message: 'Node n1 state is now lost',
        },
        {
          node: 'n2',
          t: T0 + 20_000,
          daemon: 'pacemaker-fenced',
          level: 'notice',
          message: 'far from any phase',
        },
      ],
      ...extra,
    },
  )
}

describe('split brain', () => {
  it('is found as the stretch of VIP samples with two holders, naming the nodes', () => {
    expect(splitBrainWindows(splitTimeline())).toEqual([
      {nodes: ['n1', 'n2'], fromT: T0 + 8000, toT: T0 + 9000, samples: 3},
    ])
  })

  it('is in the result with UTC times and offsets, and every report names the nodes and the time', () => {
    const r = splitResult()
    expect(r.metrics.splitBrain).toEqual([
      {
        nodes: ['n1', 'n2'],
        from: '2026-11-26T10:11:20.000Z',
        to: '2026-11-26T10:11:21.000Z',
        fromMs: 8000,
        toMs: 9000,
        samples: 3,
      },
    ])
    const line =
      'SPLIT BRAIN: n1 and n2 held the VIP at the same time from 10:11:20.000Z (+8.00s) to 10:11:21.000Z (+9.00s) UTC, 3 sample(s)'
    for (const f of ['console', 'markdown', 'html'] as const)
      expect(renderReport(f, [{result: r, timeline: splitTimeline()}])).toContain(line)
    expect(renderReport('html', [{result: r, timeline: splitTimeline()}])).toContain(
      'SPLIT BRAIN n1+n2</text>',
    )
  })
})

describe('the configuration in force', () => {
  it('is read from the lab CIB and corosync-cmapctl: token, consensus, stonith, fence devices, objectives', () => {
    const c = splitResult().config
    expect(c?.corosync).toEqual({tokenMs: 3650, consensusMs: 4380})
    expect(c?.pacemaker).toMatchObject({stonithEnabled: true, stonithTimeout: '60s'})
    expect(c?.fenceDevices.map((d) => [d.id, d.agent, d.targets])).toEqual([
      ['fence-n1', 'stonith:fence_ipmilan', ['n1']],
      ['fence-n2', 'stonith:fence_ipmilan', ['n2']],
      ['fence-n3', 'stonith:fence_ipmilan', ['n3']],
    ])
    expect(c?.objectives).toEqual({rtoMs: 30_000, rpoMs: 0})
    expect(JSON.stringify(c)).not.toMatch(/passw|secret/i)
    const md = renderChaosMarkdown([splitResult()])
    expect(md).toMatch(/^\| Corosync token \| 3\.65s \|$/m)
    expect(md).toMatch(/^\| fence device fence-n1 \| stonith:fence_ipmilan · fences n1/m)
  })
})

describe('log excerpts', () => {
  const line = (t: number, level: string, message: string): NodeLogLine => ({
    node: 'n2',
    t: T0 + t,
    daemon: 'pacemaker-controld',
    level,
    message,
  })

  it('keep the lines around each phase, the most severe when there are too many, in time order', () => {
    const lines = [
      line(6000, 'notice', 'too early'),
      line(7000, 'info', 'info 1'),
      line(7100, 'warning', 'warn 1'),
      line(7200, 'info', 'info 2'),
      line(7300, 'notice', 'lost'),
      line(7400, 'error', 'err 1'),
    ]
    expect(logExcerpts(lines, [{name: 'node-lost', atMs: 7300}], T0, {max: 3})).toEqual([
      {
        phase: 'node-lost',
        atMs: 7300,
        lines: [
          {node: 'n2', atMs: 7100, daemon: 'pacemaker-controld', level: 'warning', message: 'warn 1'},
          {node: 'n2', atMs: 7300, daemon: 'pacemaker-controld', level: 'notice', message: 'lost'},
          {node: 'n2', atMs: 7400, daemon: 'pacemaker-controld', level: 'error', message: 'err 1'},
        ],
      },
    ])
  })

  it('reach the result, and the reports show them', () => {
    const r = splitResult()
    const lost = r.logExcerpts?.find((x) => x.phase === 'node-lost')
    expect(lost?.lines.map((l) => l.message)).toEqual(['Peer n1 left us', 'Node n1 state is now lost'])
    expect(renderReport('html', [{result: r, timeline: splitTimeline()}])).toContain(
      '<td>10:11:19.300Z</td><td>n2</td><td>pacemaker-controld</td><td><span class="lv-notice">notice</span></td><td>Node n1 state is now lost</td>',
    )
    expect(renderChaosMarkdown([r])).toContain(
      '10:11:19.300Z n2 pacemaker-controld notice: Node n1 state is now lost',
    )
  })
})

describe('log excerpts from a real Pacemaker log (n2 while n1 lost its heartbeat, captured in the lab)', () => {
  const text = readFileSync(
    join(repoRoot, 'test', 'fixtures', 'chaos', 'pacemaker-log', 'n2-heartbeat-pull.log'),
    'utf8',
  )
  // The run injected at 14:46:13.601Z; n2's clock offset was negligible.
  const INJECTED = Date.parse('2026-12-07T14:46:13.601Z')
  const lines = parseLogSlice(text, {node: 'n2', year: 2026, tzOffsetMin: 0, offsetMs: 0})

  it('parses every line of the slice', () => {
    expect(lines).toHaveLength(text.trimEnd().split('\n').length)
    expect(lines[0]).toMatchObject({node: 'n2', daemon: 'pacemaker-controld', level: 'info'})
  })

  it('finds the phases in it as the run does, and shows the lines around them, phases close together sharing one excerpt', () => {
    const phaseText = text
      .split('\n')
      .filter((l) => LOG_PHASE_RE.test(l))
      .join('\n')
    const events = logPhaseEvents(phaseText, {
      node: 'n2',
      year: 2026,
      tzOffsetMin: 0,
      offsetMs: 0,
      fromT: INJECTED - 5000,
      toT: INJECTED + 60_000,
    })
    const lost = events.find((e) => e.phase === 'node-lost')
    expect(lost?.node).toBe('n1')
    const phases = [
      {name: 'node-lost', atMs: Math.round((lost?.t ?? 0) - INJECTED)},
      {name: 'fence-requested', atMs: Math.round((lost?.t ?? 0) - INJECTED) + 30},
      {name: 'fence-confirmed', atMs: 12_522},
    ]
    const [first, second] = logExcerpts(lines, phases, INJECTED)
    expect(first?.phase).toBe('node-lost + fence-requested')
    expect(first?.lines.length).toBe(24)
    expect(first?.lines.map((l) => l.message)).toContain('Scheduling node n1 for fencing')
    expect(first?.lines.every((l) => l.level !== 'info')).toBe(true)
    expect(second?.phase).toBe('fence-confirmed')
    expect(second?.lines.map((l) => l.message).join('\n')).toMatch(
      /Operation 'reboot' targeting n1 by n2 .*: OK/,
    )
  })

  it('never carries a secret a CIB diff or a fence command line would log', () => {
    const l = (message: string): NodeLogLine => ({
      node: 'n2',
      t: INJECTED,
      daemon: 'pacemaker-based',
      level: 'info',
      message,
    })
    const [x] = logExcerpts(
      [
        l('++ <nvpair id="fence-n1-instance_attributes-password" name="password" value="hunter2"/>'),
        l('fence_ipmilan ip=198.18.3.101 username=admin passwd=hunter2 lanplus=1'),
      ],
      [{name: 'node-lost', atMs: 0}],
      INJECTED,
    )
    expect(JSON.stringify(x)).not.toContain('hunter2')
    expect(x?.lines[1]?.message).toBe(
      'fence_ipmilan ip=198.18.3.101 username=admin passwd=***scrubbed*** lanplus=1',
    )
  })
})

describe('the timeline chart', () => {
  it('puts labels that would overlap on other rows, and drops them when no row is left', () => {
    const items = [0, 10, 20, 200].map((x) => ({x, width: 40}))
    expect(placeLabels(items, 2)).toEqual([0, 1, -1, 0])
  })

  it('names each event briefly and puts it in the lane of the node that saw it', () => {
    const e = {kind: 'cluster', t: 0, phase: 'resource-started', node: 'n2', resource: 'p-vip'} as const
    expect(eventLabel({...e, source: 'crm_mon@n2'})).toBe('start p-vip@n2')
    expect(laneOf({...e, source: 'crm_mon@n3'})).toBe('n3 crm_mon')
    expect(laneOf({...e, source: 'corosync@n3'})).toBe('n3 corosync')
    expect(laneOf({...e, source: 'pacemaker-log', detail: 'n2 pacemaker-controld: …'})).toBe('n2 log')
    expect(laneOf({...e, source: 'ip-addr', phase: 'vip-moved'})).toBeUndefined()
  })

  it('writes the VIP holder in each stretch, not only in tooltips', () => {
    const html = renderReport('html', [{result: splitResult(), timeline: splitTimeline()}])
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0] ?? ''
    expect(svg).not.toContain('<title>')
    expect(html).toMatch(/<rect class="vip-1"[^>]*\/><text[^>]*>n1<\/text>/)
    expect(html).toMatch(/<rect class="vip-2"[^>]*\/><text[^>]*>n1\+n2<\/text>/)
  })
})

describe('the published chaos result schema', () => {
  const validate = schemaValidator('chaos-result.schema.json')

  it('accepts what --format json prints, and refuses a result with an unknown status', () => {
    const r = JSON.parse(renderReport('json', [{result: splitResult(), timeline: []}])) as ChaosResult
    const ok = validate(r)
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([])
    expect(ok).toBe(true)
    expect(validate({...r, status: 'maybe'})).toBe(false)
    const noInjection = splitResult({injectedAt: null, config: undefined, logLines: undefined})
    expect(validate(JSON.parse(JSON.stringify(noInjection)))).toBe(true)
  })
})

describe('hostile text in a chaos run', () => {
  const EVIL = '\u001b[31m</script><script>alert(1)</script> ]]> | x | ``` \u0000'
  const hostile = (): ChaosResult => {
    const r = splitResult({notes: [EVIL], errors: [EVIL]})
    return {
      ...r,
      summary: EVIL,
      logExcerpts: [
        {
          phase: 'node-lost',
          atMs: 0,
          lines: [{node: 'n2', atMs: 0, daemon: 'pacemaker-controld', level: 'err', message: EVIL}],
        },
      ],
    }
  }
  it('never reaches the HTML as markup, the Markdown as HTML or fences, the console as escapes, or breaks the JUnit XML', () => {
    /* eslint-disable no-control-regex */
    const html = renderReport('html', [{result: hostile(), timeline: splitTimeline()}])
    expect(html).not.toMatch(/<script|\u001b|\u0000/)
    const md = renderReport('markdown', [{result: hostile(), timeline: []}])
    expect(md).not.toMatch(/\u001b|\u0000/)
    expect(md).toMatch(/^````$/m)
    expect(md.replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '')).not.toContain('<script>')
    const text = renderReport('console', [{result: hostile(), timeline: []}])
    expect(
      text
        .split('\n')
        .filter((l) => l.includes('pacemaker-controld err'))
        .join(),
    ).not.toMatch(/\u001b/)
    const xml = renderReport('junit', [{result: hostile(), timeline: []}])
    expect(xml).not.toMatch(/\u001b|\u0000/)
    expect(XMLValidator.validate(xml)).toBe(true)
  })
})
