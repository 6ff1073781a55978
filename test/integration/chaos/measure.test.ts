/**
 * The measurement itself, against ground truth: the service port is dropped on
 * the VIP holder for exactly N seconds, timed ON the node in one remote
 * command; the client outage the probes measure (at 100 probes/s) must be N
 * within ±100 ms.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import http from '../../../src/chaos/workloads/http.js'
import {failoverMetrics} from '../../../src/chaos/measure/metrics.js'
import type {TimelineEvent} from '../../../src/chaos/timeline.js'
import type {NodeSpec} from '../../../src/core/types.js'
import type {SshPool} from '../../../src/transport/index.js'
import {ensureLab, labContext, labRunner, labTitle, waitFor} from '../lab/helpers.js'
import {healthy, leftovers, URL, vipHolders} from './helpers.js'

const lab = labContext()

describe.skipIf(!lab.available)(labTitle('chaos measurement against a controlled outage'), () => {
  let runner: SshPool
  let nodes: NodeSpec[]

  beforeAll(async () => {
    const status = await ensureLab()
    ;({runner, nodes} = await labRunner(status))
    await waitFor('a healthy cluster', 120_000, async () =>
      (await healthy(runner, nodes[0] as NodeSpec)) ? true : undefined,
    )
  })
  afterAll(async () => {
    await runner?.close()
  })

  it.each([3, 5])('an outage of exactly %i s on the node is measured within ±100 ms', async (seconds) => {
    const holders = await vipHolders(runner, nodes)
    expect(holders).toHaveLength(1)
    const node = nodes.find((n) => n.name === holders[0]) as NodeSpec
    const timeline: TimelineEvent[] = []
    const w = http.create(
      {kind: 'http', url: URL, ratePerS: 100, timeoutMs: 800},
      {runId: 'measure', env: process.env, record: (e) => timeline.push(e)},
    )
    w.start()
    await new Promise((r) => setTimeout(r, 2000))
    const rule = [
      'INPUT',
      '-p',
      'tcp',
      '--dport',
      '80',
      '-m',
      'comment',
      '--comment',
      'hacheck-measure-test',
      '-j',
      'DROP',
    ].join(' ')
    const r = await runner.run(node, {
      script: `a=$(date +%s.%N); iptables -w 5 -I ${rule}; b=$(date +%s.%N); sleep ${seconds}; c=$(date +%s.%N); iptables -w 5 -D ${rule}; d=$(date +%s.%N); echo "$a $b $c $d"`,
      timeoutMs: 60_000,
    })
    expect(r.exitCode, r.stderr).toBe(0)
    await new Promise((res) => setTimeout(res, 3000))
    await w.stop()
    const [a = 0, b = 0, c = 0, d = 0] = r.stdout.trim().split(' ').map(Number)
    const nodeWindowMs = ((c + d) / 2 - (a + b) / 2) * 1000
    // The outage is the whole observation here (no fault event): treat the rule insert as the injection.
    timeline.push({
      kind: 'fault',
      t: ((a + b) / 2) * 1000 - 5000,
      fault: 'link-pull',
      phase: 'injected',
      target: [node.name],
    })
    const m = failoverMetrics(timeline)
    console.warn(
      `[chaos measure] ${seconds}s: client outage ${m.clientOutageMs} ms (min ${m.clientOutageMinMs}), node-side window ${nodeWindowMs.toFixed(1)} ms, ${m.failedProbes}/${m.probes} failed, windows ${m.outages.length}`,
    )
    expect(m.outages).toHaveLength(1)
    expect(Math.abs((m.clientOutageMs as number) - seconds * 1000)).toBeLessThanOrEqual(100)
    expect(await leftovers(runner, node)).toBe('')
  })
})
