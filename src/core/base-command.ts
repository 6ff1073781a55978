import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import {HacheckError} from './errors.js'
import {ExitCode} from './exit-codes.js'
import {createLogger, defaultLogFile} from './logger.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

/**
 * Every hacheck command extends this. It sets up logging and turns errors into
 * one clear message plus the documented exit code (never a stack trace unless
 * HACHECK_DEBUG=1).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    verbose: Flags.boolean({
      char: 'v',
      summary: 'Show human-readable logs (each remote command, timings) on stderr.',
      helpGroup: 'GLOBAL',
    }),
    'log-file': Flags.string({
      summary: `JSON log file (default ${defaultLogFile().replace(process.env.HOME ?? '\u0000', '~')}); "none" disables it.`,
      helpGroup: 'GLOBAL',
    }),
  }

  protected flags!: BaseFlags<T>

  public override async init(): Promise<void> {
    await super.init()
    const {flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      enableJsonFlag: this.ctor.enableJsonFlag,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    const logFile = this.flags['log-file']
    createLogger({file: logFile === 'none' ? false : logFile, verbose: this.flags.verbose})
  }

  protected override async catch(
    err: Error & {exitCode?: number; oclif?: {exit?: number}},
  ): Promise<unknown> {
    if (process.env.HACHECK_DEBUG === '1' && !(err instanceof HacheckError)) console.error(err.stack)
    let cli: Errors.CLIError
    if (err instanceof HacheckError) {
      cli = new Errors.CLIError(err.message, {
        exit: err.exit,
        suggestions: err.actions.length ? err.actions : undefined,
      })
    } else if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) {
      // oclif parse/usage errors already carry exit 2 and a readable message.
      cli = err as Errors.CLIError
      if (err.oclif?.exit === undefined) (cli as {oclif: {exit: number}}).oclif = {exit: ExitCode.incomplete}
    } else {
      cli = new Errors.CLIError(
        `internal error: ${err.message} (run with HACHECK_DEBUG=1 for the stack trace)`,
        {
          exit: ExitCode.incomplete,
        },
      )
    }
    // oclif/core#1423: in --json mode catch() ignores err.oclif.exit; copy it into exitCode.
    ;(cli as {exitCode?: number}).exitCode = cli.oclif.exit
    if (this.jsonEnabled()) process.exitCode = cli.oclif.exit
    return super.catch(cli)
  }
}
