/**
 * The one flag vocabulary. Every hacheck command gets `commonFlags` (through
 * BaseCommand.baseFlags) plus oclif's --json; commands add their own flags with
 * the helpers below so that the same idea is spelt the same way everywhere:
 * durations are DURATION values (30s, 500ms, 2m; a bare number is seconds),
 * reports are -f/--format and -o/--output. docs/cli.md lists the rules.
 */
import type {Interfaces} from '@oclif/core'
import * as Flags from '@oclif/core/flags'

import {requireDurationMs} from '../core/duration.js'
import {DEFAULT_LOG_LEVEL, LOG_LEVELS} from './logger.js'

/** Formats every command can print its result in; commands with reports add theirs. */
export const BASE_FORMATS = ['console', 'json'] as const

interface DurationOptions {
  summary: string
  description?: string
  char?: 'd'
  aliases?: string[]
  exclusive?: string[]
  dependsOn?: string[]
}

/**
 * A duration flag: validated when the command line is parsed (a clear exit-2
 * error naming the flag), kept as the text the operator typed so that
 * `requireDurationMs(flags.x)` converts it where it is used.
 */
export function durationFlag(opts: DurationOptions & {default: string}): Interfaces.OptionFlag<string>
export function durationFlag(opts: DurationOptions): Interfaces.OptionFlag<string | undefined>
export function durationFlag(
  opts: DurationOptions & {default?: string},
): Interfaces.OptionFlag<string | undefined> {
  return Flags.string({
    ...opts,
    helpValue: 'DURATION',
    parse: async (input, _ctx, flag) => {
      requireDurationMs(input, `--${flag.name}`)
      return input
    },
  }) as Interfaces.OptionFlag<string | undefined>
}

/** -f/--format with this command's formats; console is always the default. */
export function formatFlag(formats: readonly string[], summary = 'Output format.') {
  return Flags.string({char: 'f', summary, options: [...formats], default: 'console'})
}

export const commonFlags = {
  format: formatFlag(BASE_FORMATS, 'Output format: console (for people) or json (same as --json).'),
  output: Flags.string({
    char: 'o',
    summary: 'Write the output to FILE instead of stdout (relative to output-dir from the config file).',
    helpValue: 'FILE',
  }),
  quiet: Flags.boolean({
    char: 'q',
    summary: 'No progress or notes on stderr (errors are still printed).',
    helpGroup: 'GLOBAL',
  }),
  verbose: Flags.boolean({
    char: 'v',
    summary: 'Also show the log (each remote command, timings) on stderr, readable.',
    helpGroup: 'GLOBAL',
  }),
  'no-color': Flags.boolean({
    summary: 'No colors (also when NO_COLOR is set or stdout is not a terminal).',
    helpGroup: 'GLOBAL',
  }),
  'log-level': Flags.string({
    summary: `How much is logged to the log file (and to stderr with -v). Default ${DEFAULT_LOG_LEVEL}.`,
    options: [...LOG_LEVELS],
    helpValue: 'LEVEL',
    helpGroup: 'GLOBAL',
  }),
  'log-file': Flags.string({
    summary:
      'JSON log file (default $XDG_STATE_HOME/hacheck/hacheck.log, ~/.local/state/hacheck/hacheck.log when unset); "none" disables it.',
    helpValue: 'FILE',
    helpGroup: 'GLOBAL',
  }),
  config: Flags.string({
    summary:
      'Config file with defaults (default $HACHECK_CONFIG, else $XDG_CONFIG_HOME/hacheck/config.yaml, ~/.config/hacheck/config.yaml when unset, if it exists); "none" reads none.',
    helpValue: 'FILE',
    helpGroup: 'GLOBAL',
  }),
}

/** The names of the flags every command has (the command-walking test checks them). */
export const COMMON_FLAG_NAMES = ['json', ...Object.keys(commonFlags)] as const
