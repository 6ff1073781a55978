/** Fault options declared once: parsed and validated the same way from a flag and from a game day. */
import {describe, expect, it} from 'vitest'

import {FAULTS} from '../../../src/chaos/faults/index.js'
import {
  asFlag,
  asKey,
  flagName,
  formatSize,
  opt,
  optionProblems,
  optionValues,
  parseOption,
  parseSize,
} from '../../../src/chaos/plan/options.js'
import {
  experimentDoc,
  faultDoc,
  renderExperimentExplain,
  renderExperimentList,
  renderFaultExplain,
  renderFaultList,
} from '../../../src/chaos/report/faults.js'
import {parseGameDay} from '../../../src/chaos/gameday/file.js'
import {DATA_EXPERIMENTS} from '../../../src/chaos/run/data-plan.js'

const netem = FAULTS.find((f) => f.id === 'netem')
const partition = FAULTS.find((f) => f.id === 'partition')

describe('fault options', () => {
  it('are typed from a flag string and from a game-day value alike', () => {
    expect(parseOption(opt.duration({description: 'd'}), '200ms', '--delay')).toBe(200)
    expect(parseOption(opt.duration({description: 'd'}), 2, 'delay')).toBe(2000)
    expect(parseOption(opt.percent({description: 'p'}), '5%', '--loss')).toBe(5)
    expect(parseOption(opt.percent({description: 'p'}), 0.5, 'loss')).toBe(0.5)
    expect(parseOption(opt.boolean({description: 'b'}), 'true', 'x')).toBe(true)
    expect(parseOption(opt.size({description: 's'}), '64M', '--size')).toBe(64 * 1024 ** 2)
    expect(parseOption(opt.node({description: 'n'}), '@service', 'isolate')).toBe('@service')
  })

  it('say what was expected and what was found, in the words of the path it came from', () => {
    expect(() => parseOption(opt.percent({description: 'p'}), 'lots', '--loss')).toThrow(
      '--loss: expected a percentage above 0 and at most 100, such as 10 or 0.5, found "lots"',
    )
    expect(() => parseOption(opt.percent({description: 'p'}), 150, 'loss')).toThrow(
      /^loss: expected a percentage/,
    )
    expect(() => parseOption(opt.enum(['a', 'b'], {description: 'e'}), 'c', '--method')).toThrow(
      '--method: expected one of a, b, found "c"',
    )
    expect(() => parseOption(opt.size({description: 's', max: 1024}), '2K', '--size')).toThrow(
      '--size: at most 1KiB, found "2K"',
    )
    expect(() => parseOption(opt.node({description: 'n'}), 'n1; rm -rf /', 'isolate')).toThrow(
      /expected a node name/,
    )
  })

  it('check the rules between options, named as flags or as game-day keys', () => {
    const given = new Set(['isolate', 'groups'])
    const p = partition as NonNullable<typeof partition>
    expect(optionProblems(p.options, p.rules ?? [], given, asFlag).map((x) => x.message)).toEqual([
      'expected exactly one of --isolate, --groups, --isolate-witness, --majority-minority, found --isolate, --groups',
    ])
    expect(optionProblems(p.options, p.rules ?? [], given, asKey).map((x) => x.message)).toEqual([
      'expected exactly one of isolate, groups, isolateWitness, majorityMinority, found isolate, groups',
    ])
    const n = netem as NonNullable<typeof netem>
    expect(
      optionProblems(n.options, n.rules ?? [], new Set(['network', 'interface', 'jitter']), asFlag).map(
        (x) => x.message,
      ),
    ).toEqual([
      '--interface cannot go with --network',
      '--jitter needs --delay',
      'expected at least one of --delay, --loss, --corrupt',
    ])
  })

  it('fill in defaults, and refuse an option the fault does not have', () => {
    const n = netem as NonNullable<typeof netem>
    expect(optionValues(n.options, n.rules ?? [], {network: 'heartbeat', loss: '30'}, asKey)).toEqual({
      network: 'heartbeat',
      method: 'netem',
      loss: 30,
    })
    expect(() => optionValues(n.options, n.rules ?? [], {network: 'h', loss: 1, rate: 3}, asKey)).toThrow(
      'rate: not an option of this fault',
    )
  })

  it('name flags in kebab-case and sizes in binary units', () => {
    expect(flagName('isolateWitness')).toBe('isolate-witness')
    expect(parseSize('1GiB')).toBe(1024 ** 3)
    expect(parseSize('512k')).toBe(512 * 1024)
    expect(parseSize('12 parsecs')).toBeUndefined()
    expect(formatSize(64 * 1024 ** 2)).toBe('64MiB')
  })
})

describe('chaos list and explain', () => {
  it('list every fault with its summary', () => {
    const text = renderFaultList(FAULTS)
    for (const f of FAULTS) expect(text).toContain(`${f.id}  `)
    expect(text).toMatch(/\d+ faults\. Details: hacheck chaos explain FAULT/)
  })

  it('explain a fault: flags and game-day keys, phases, dead-man, a step that validates', () => {
    const text = renderFaultExplain(partition as NonNullable<typeof partition>)
    expect(text).toContain('--isolate-witness / isolateWitness  boolean')
    expect(text).toContain('Rules: exactly one of isolate, groups, isolateWitness, majorityMinority.')
    expect(text).toMatch(/dead-man: on every node/)
    expect(text).toContain('with: {isolate: <a node name from the inventory, or @service, @dc, @replica>}')
    expect(faultDoc(netem as NonNullable<typeof netem>).options.find((o) => o.key === 'method')).toEqual({
      key: 'method',
      flag: '--method',
      type: 'netem|iptables-loss',
      default: 'netem',
      required: false,
      description: 'netem (tc) or iptables-loss (loss only).',
      expected: 'one of netem, iptables-loss',
    })
  })

  it('list and explain the data-tier experiments from their one declaration, with a game-day step that parses', () => {
    const list = renderExperimentList()
    for (const e of DATA_EXPERIMENTS) expect(list).toMatch(new RegExp(`^${e} +\\S`, 'm'))
    expect(list).toContain('4 experiments. Details: hacheck chaos explain EXPERIMENT')
    const text = renderExperimentExplain('patroni-cut-leader')
    expect(text).toContain('--write-timeout / writeTimeout  duration, default 3s')
    expect(text).toContain('hacheck chaos data patroni-cut-leader -i INVENTORY … --dry-run')
    expect(experimentDoc('etcd-stop-member')).toMatchObject({kind: 'data-experiment', id: 'etcd-stop-member'})
    const step = text.slice(
      text.indexOf('In a game day:\n') + 'In a game day:\n'.length,
      text.indexOf('\n\nThe exact'),
    )
    const g = parseGameDay(`name: example\n${step.replace(/^ {2}/gm, '')}\n`, 'explain.yaml')
    expect(g.steps.map((x) => x.kind)).toEqual(['experiment'])
  })
})
