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
    if (process.env.HACHECK_DEBUG === '1') console.error(err.stack)
    if (err instanceof HacheckError) {
      // Printed as is: oclif's pretty printer would re-wrap the one-line-per-problem messages.
      process.exitCode = err.exit
      if (this.jsonEnabled()) {
        this.logJson({error: {code: err.code, message: err.message, actions: err.actions, exit: err.exit}})
      } else {
        process.stderr.write(`${err.message.replace(/^/gm, 'error: ')}\n`)
        for (const a of err.actions) process.stderr.write(`hint: ${a}\n`)
      }
      return undefined
    }
    let cli: Errors.CLIError
    if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) {
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
