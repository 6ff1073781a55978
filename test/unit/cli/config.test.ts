import {describe, expect, it} from 'vitest'

import {
  applyConfig,
  configFileFor,
  flagGiven,
  flagValueInArgv,
  outputsUnder,
  parseConfig,
  type CommandInfo,
} from '../../../src/cli/config.js'
import {defaultConfigFile} from '../../../src/cli/paths.js'
import {suggestCommand} from '../../../src/cli/suggest.js'
import {InputError} from '../../../src/core/errors.js'

const audit: CommandInfo = {
  id: 'audit',
  flags: {
    inventory: {
      name: 'inventory',
      type: 'option',
      char: 'i',
      env: 'HACHECK_INVENTORY',
      exclusive: ['from'],
      helpValue: 'FILE',
    },
    from: {name: 'from', type: 'option', helpValue: 'DIR'},
    checklist: {name: 'checklist', type: 'option', helpValue: 'NAME|FILE'},
    format: {
      name: 'format',
      type: 'option',
      char: 'f',
      multiple: true,
      options: ['console', 'json', 'junit'],
    },
    output: {name: 'output', type: 'option', char: 'o', multiple: true, helpValue: 'FILE'},
    concurrency: {name: 'concurrency', type: 'option'},
    'no-color': {name: 'no-color', type: 'boolean'},
    'log-level': {name: 'log-level', type: 'option', options: ['debug', 'info']},
    json: {name: 'json', type: 'boolean'},
  },
}
const linkPull: CommandInfo = {
  id: 'chaos:link-pull',
  flags: {
    inventory: {name: 'inventory', type: 'option', char: 'i', env: 'HACHECK_INVENTORY', helpValue: 'FILE'},
    duration: {name: 'duration', type: 'option', char: 'd', aliases: ['hold'], helpValue: 'DURATION'},
    delay: {name: 'delay', type: 'option', helpValue: 'DURATION'},
    jitter: {name: 'jitter', type: 'option', dependsOn: ['delay'], helpValue: 'DURATION'},
    yes: {name: 'yes', type: 'boolean', char: 'y'},
  },
}
const commands = [audit, linkPull]

async function problems(text: string): Promise<string> {
  try {
    await parseConfig(text, '/etc/hacheck/config.yaml', commands)
    return ''
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return (err as Error).message
  }
}

describe('the config file', () => {
  it('takes flag names at the top level and per command, with paths made relative to the file', async () => {
    const cfg = await parseConfig(
      'inventory: prod.yaml\nchecklist: ha-baseline\noutput-dir: reports\ncommands:\n  audit: {checklist: ./site.yaml, concurrency: 8}\n  chaos link-pull: {duration: 20s}\n',
      '/etc/hacheck/config.yaml',
      commands,
    )
    expect(cfg.global).toEqual({inventory: '/etc/hacheck/prod.yaml', checklist: 'ha-baseline'})
    expect(cfg.outputDir).toBe('/etc/hacheck/reports')
    expect(cfg.commands).toEqual({
      audit: {checklist: '/etc/hacheck/site.yaml', concurrency: 8},
      'chaos link-pull': {duration: '20s'},
    })
  })

  it('is empty when the file holds only comments', async () => {
    expect(await parseConfig('# nothing yet\n\n', 'c.yaml', commands)).toEqual({
      file: 'c.yaml',
      global: {},
      commands: {},
    })
  })

  it('lists every problem with its line, column and a "did you mean"', async () => {
    const msg = await problems(
      'inventry: x.yaml\nlog-level: loud\nno-color: yes please\ncommands:\n  audti: {}\n  audit: {concurency: 3, format: [junt]}\n  chaos link-pull: {output: x}\njson: true\n',
    )
    expect(msg.split('\n')).toEqual([
      '/etc/hacheck/config.yaml:1:1: inventry: unknown flag "inventry" (did you mean "inventory"?)',
      '/etc/hacheck/config.yaml:2:12: log-level: expected one of debug, info, found "loud"',
      '/etc/hacheck/config.yaml:3:11: no-color: expected true or false, found "yes please"',
      '/etc/hacheck/config.yaml:5:3: commands.audti: unknown command "audti" (did you mean "audit"?)',
      '/etc/hacheck/config.yaml:6:11: commands.audit.concurency: unknown audit flag "concurency" (did you mean "concurrency"?)',
      '/etc/hacheck/config.yaml:6:34: commands.audit.format: expected one of console, json, junit, found "junt" (did you mean "junit"?)',
      '/etc/hacheck/config.yaml:7:21: commands.chaos link-pull.output: unknown chaos link-pull flag "output"',
      '/etc/hacheck/config.yaml:8:1: json: unknown flag "json"',
    ])
  })

  it('refuses a list for a flag that is not repeatable, and YAML that is not a mapping', async () => {
    expect(await problems('inventory: [a.yaml, b.yaml]\n')).toMatch(
      /inventory: expected one value \(--inventory is not repeatable\), found a list/,
    )
    expect(await problems('- a\n- b\n')).toMatch(/expected a mapping of flag names to values/)
  })

  it('is found through --config, then HACHECK_CONFIG, then the XDG path when that exists', () => {
    expect(configFileFor(['audit', '--config', 'a.yaml'], {HACHECK_CONFIG: 'b.yaml'})).toEqual({
      file: 'a.yaml',
      explicit: true,
    })
    expect(configFileFor(['audit', '--config=a.yaml'], {})).toEqual({file: 'a.yaml', explicit: true})
    expect(configFileFor(['audit'], {HACHECK_CONFIG: 'b.yaml'})).toEqual({file: 'b.yaml', explicit: true})
    expect(configFileFor(['audit', '--config', 'none'], {HACHECK_CONFIG: 'b.yaml'})).toBeUndefined()
    // The test run's XDG_CONFIG_HOME is a fresh temporary directory: no default file there.
    expect(configFileFor(['audit'], {})).toBeUndefined()
    expect(defaultConfigFile()).toMatch(/\/hacheck\/config\.yaml$/)
    expect(flagValueInArgv(['x', '--', '--config', 'a'], 'config')).toBeUndefined()
  })
})

describe('applying the config file to a command line', () => {
  const cfg = {
    file: 'c.yaml',
    global: {inventory: '/etc/prod.yaml', 'no-color': true, 'log-level': 'info'},
    commands: {
      audit: {format: ['junit', 'console'], concurrency: 8},
      'chaos link-pull': {duration: '20s', jitter: '5ms', yes: false},
    },
  }

  it('adds the defaults the operator did not type, the command section over the top level', () => {
    const r = applyConfig(['-q'], audit, cfg, {})
    expect(r.argv).toEqual([
      '-q',
      '--inventory=/etc/prod.yaml',
      '--no-color',
      '--log-level=info',
      '--format=junit',
      '--format=console',
      '--concurrency=8',
    ])
    expect(r.applied.map((a) => `${a.flag} ${a.from}`)).toContain('concurrency c.yaml commands.audit')
  })

  it('lets the command line, the environment variable and an excluding flag win, and keeps "--" last', () => {
    expect(applyConfig(['-i', 'x.yaml', '--concurrency=2'], audit, cfg, {}).argv).not.toContain(
      '--inventory=/etc/prod.yaml',
    )
    expect(applyConfig([], audit, cfg, {HACHECK_INVENTORY: 'env.yaml'}).argv).not.toContain(
      '--inventory=/etc/prod.yaml',
    )
    expect(applyConfig(['--from', 'cap'], audit, cfg, {}).argv).not.toContain('--inventory=/etc/prod.yaml')
    expect(applyConfig(['a', '--', '-x'], audit, cfg, {}).argv.slice(-2)).toEqual(['--', '-x'])
  })

  it('leaves out a flag whose partner is missing, and false for a flag without --no-', () => {
    const r = applyConfig(['--hold', '3s'], linkPull, cfg, {})
    // --hold is an alias of --duration; --jitter depends on --delay; --yes has no --no-yes form.
    expect(r.argv).toEqual(['--hold', '3s', '--inventory=/etc/prod.yaml'])
    expect(applyConfig(['--delay', '1ms'], linkPull, cfg, {}).argv).toContain('--jitter=5ms')
  })

  it('tells a typed flag by name, alias, char and --no- form', () => {
    const i = audit.flags.inventory as NonNullable<(typeof audit.flags)['inventory']>
    expect(flagGiven(['-i', 'x'], i)).toBe(true)
    expect(flagGiven(['-ix'], i)).toBe(true)
    expect(flagGiven(['--inventory=x'], i)).toBe(true)
    expect(flagGiven(['--', '-i'], i)).toBe(false)
    const color = {name: 'color', type: 'boolean' as const}
    expect(flagGiven(['--no-color'], color)).toBe(true)
  })

  it('writes a relative -o under output-dir and leaves absolute ones alone', () => {
    const o = audit.flags.output as NonNullable<(typeof audit.flags)['output']>
    expect(outputsUnder(['-o', 'a.xml', '--output=/tmp/b.md', '-oc.json', '--', '-o', 'd'], o, '/r')).toEqual(
      ['-o', '/r/a.xml', '--output=/tmp/b.md', '-o/r/c.json', '--', '-o', 'd'],
    )
    const argv = ['audit', '-o', '/abs.xml']
    expect(outputsUnder(argv, o, '/r')).toBe(argv)
  })
})

describe('a mistyped command', () => {
  const ids = [
    'audit',
    'chaos:power-off',
    'chaos:power-cycle',
    'checks:list',
    'lab:up',
    'lab:down',
    'lab:status',
  ]

  it('names the command that was probably meant', () => {
    expect(suggestCommand('audti', ids).message).toBe(
      '"hacheck audti" is not a command (did you mean "hacheck audit"?)',
    )
    expect(suggestCommand('chaos:power-of', ids).guess).toBe('chaos:power-off')
    expect(suggestCommand('check:list', ids).guess).toBe('checks:list')
  })

  it("lists the topic's commands when nothing is close, else points at --help", () => {
    expect(suggestCommand('lab:start', ids)).toEqual({
      message: '"hacheck lab start" is not a command; the lab commands are: down, status, up',
      hints: ['hacheck lab --help explains each one.'],
    })
    expect(suggestCommand('frobnicate', ids).hints).toEqual(['hacheck --help lists every command.'])
  })
})
