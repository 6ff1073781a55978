import {format} from 'node:util'

import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import {HacheckError} from '../core/errors.js'
import {visibleText} from '../core/sanitize.js'
import {
  applyConfig,
  configFileFor,
  outputsUnder,
  readConfigFile,
  type Applied,
  type HacheckConfig,
} from './config.js'
import {commandInfo, manifestCommands} from './command-info.js'
import {
  printUsageErrorJson,
  toCliError,
  jsonFormatMode,
  printHacheckError,
  startRunLog,
  type RunFlags,
} from './command-run.js'
import {makeDirs} from './files.js'
import {commonFlags} from './flags.js'
import {OutputSink, type CommandIo} from './output.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

/**
 * Every hacheck command extends this. It gives every command the common flags
 * (src/cli/flags.ts) and --json, applies the config file's defaults, sets up
 * logging, sends the output to -o FILE when the command does not handle -o
 * itself, and turns errors into one clear message plus the documented exit
 * code (never a stack trace unless HACHECK_DEBUG=1).
 *
 * JSON mode (--json, or --format json): the command returns its result and
 * this class prints it, as the one JSON document on stdout (or in -o FILE);
 * nothing else goes to stdout. Errors in JSON mode are {"error": {…}} on stdout.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    ...commonFlags,
    help: Flags.help({char: 'h', summary: 'Show this help.', helpGroup: 'GLOBAL'}),
  }

  protected flags!: BaseFlags<T>
  /** The config file in force, if any. */
  protected settings: HacheckConfig | undefined
  /** Flags whose value came from the config file (not typed, not from the environment). */
  protected readonly fromConfig = new Map<string, Applied>()
  private sink = new OutputSink(undefined)
  private jsonFormat = false

  public override async init(): Promise<void> {
    await super.init()
    const info = commandInfo(this.id ?? '', {...this.baseFlagDefs(), ...(this.ctor.flags ?? {})})
    const cf = configFileFor(this.argv, process.env)
    if (cf) {
      this.settings = await readConfigFile(cf.file, manifestCommands(this.config))
      const {argv, applied} = applyConfig(this.argv, info, this.settings, process.env)
      for (const a of applied) this.fromConfig.set(a.flag, a)
      const dir = this.settings.outputDir
      const output = info.flags.output
      this.argv = dir && output ? outputsUnder(argv, output, dir) : argv
      if (dir && this.argv !== argv) makeDirs(dir)
    }
    // Parsed here for every command (oclif would otherwise warn, outside production, when this parse fails).
    this.parsed = true
    const {flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: this.baseFlagDefs(),
      args: this.ctor.args,
      enableJsonFlag: this.ctor.enableJsonFlag,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    const f = this.flags as unknown as RunFlags & {output?: string | string[]}
    this.jsonFormat = jsonFormatMode(f, this.ownsOutput())
    // A command that declares its own --output (audit pairs formats and files) writes it itself.
    if (!this.ownsOutput() && typeof f.output === 'string') this.sink = new OutputSink(f.output)
    startRunLog(this.id ?? '', this.argv, f, this.settings)
  }

  private baseFlagDefs(): Interfaces.FlagInput {
    return (this.ctor as unknown as typeof BaseCommand).baseFlags as Interfaces.FlagInput
  }

  /** A default from the config file for something that is not a flag of this command (e.g. an argument). */
  protected configDefault(name: string): string | undefined {
    const id = (this.id ?? '').replace(/:/g, ' ')
    const v = this.settings?.commands[id]?.[name] ?? this.settings?.global[name]
    return typeof v === 'string' ? v : undefined
  }

  /** Whether the command declares its own --output (then it writes its files itself). */
  protected ownsOutput(): boolean {
    return Object.hasOwn(this.ctor.flags ?? {}, 'output') && this.ctor.flags.output !== commonFlags.output
  }

  public override jsonEnabled(): boolean {
    return this.jsonFormat || super.jsonEnabled()
  }

  /** Colors on stdout: a terminal, no --no-color, no NO_COLOR, no -o file. */
  protected useColor(): boolean {
    const f = this.flags as unknown as {'no-color'?: boolean} | undefined
    return !f?.['no-color'] && !process.env.NO_COLOR && process.stdout.isTTY === true && !this.sink.file
  }

  /** Whether progress and notes on stderr are wanted (not with -q, not in JSON mode). */
  protected chatty(): boolean {
    return !(this.flags as unknown as {quiet?: boolean} | undefined)?.quiet && !this.jsonEnabled()
  }

  /** For services that write the command's output themselves (chaos runs). */
  protected io(): CommandIo {
    const quiet = (this.flags as unknown as {quiet?: boolean} | undefined)?.quiet === true
    return {json: this.jsonEnabled(), quiet, output: this.sink.file, write: (t) => this.sink.write(t)}
  }

  /** Writes text to the command's output: -o FILE or stdout. */
  protected write(text: string): void {
    this.sink.write(text)
  }

  public override log(message = '', ...args: unknown[]): void {
    if (this.jsonEnabled()) return
    this.sink.write(`${format(message, ...args)}\n`)
  }

  public override logToStderr(message = '', ...args: unknown[]): void {
    if (!this.chatty()) return
    process.stderr.write(`${format(message, ...args)}\n`)
  }

  /** The JSON document of the run (plain, two-space indented, one newline), to -o FILE or stdout. */
  public override logJson(json: unknown): void {
    this.sink.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  protected override async catch(
    err: Error & {exitCode?: number; oclif?: {exit?: number}},
  ): Promise<unknown> {
    if (process.env.HACHECK_DEBUG === '1') console.error(err.stack)
    // oclif wraps a flag's own parse error as "Parsing --x \n\t<message>\nSee more help with --help".
    const parsing = /^Parsing --(\S+) \n\t([\s\S]*?)(\nSee more help with --help)?$/.exec(err.message)
    if (parsing) err.message = parsing[2] as string
    const configHint = this.configHint(err.message)
    // The sanitising boundary for messages: they quote files and node output (docs/untrusted-input.md).
    err.message = visibleText(err.message)
    if (err instanceof HacheckError) {
      printHacheckError(err, this.jsonEnabled(), configHint)
      return undefined
    }
    const cli = toCliError(err, Errors, configHint)
    if (this.jsonEnabled()) {
      printUsageErrorJson(cli)
      return undefined
    }
    return super.catch(cli)
  }

  /** When an error names a flag whose value came from the config file, say so. */
  private configHint(message: string): string | undefined {
    for (const [name, a] of this.fromConfig) {
      if (new RegExp(`--${name}\\b`).test(message))
        return `--${name} ${JSON.stringify(a.value)} came from the config file ${a.from}`
    }
    return undefined
  }
}
