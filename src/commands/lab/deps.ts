import {Flags} from '@oclif/core'
import {execa} from 'execa'

import {BaseCommand} from '../../cli/base-command.js'
import {IncompleteError, InputError} from '../../core/errors.js'
import {EXIT_CODES_HELP, ExitCode} from '../../core/exit-codes.js'
import {installScript, packageStatus, type PackageStatus} from '../../lab/deps.js'

export default class LabDeps extends BaseCommand<typeof LabDeps> {
  static override summary =
    'List the Debian packages the lab needs (installed or missing); --install installs the missing ones.'

  static override description = `The list is lab/packages.txt (the only list; CI and scripts/install-deps.sh read it too). --install runs scripts/install-deps.sh, which needs root and apt-get, and never starts services on the host (a policy-rc.d refusing starts is put in place first when none exists). Exit 3 when packages are missing after the command.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'What is installed', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Install what is missing', command: 'sudo <%= config.bin %> <%= command.id %> --install'},
  ]

  static override flags = {
    install: Flags.boolean({summary: 'Install the missing packages (root, apt-get).'}),
  }

  public async run(): Promise<{packages: PackageStatus[]; missing: string[]}> {
    const {flags} = await this.parse(LabDeps)
    if (process.platform !== 'linux') {
      throw new IncompleteError(`hacheck lab needs Linux (Debian packages); this is ${process.platform}`)
    }
    let pkgs = await packageStatus()
    if (flags.install && pkgs.some((p) => !p.installed)) {
      if (process.getuid?.() !== 0) throw new InputError('lab deps --install must run as root: use sudo')
      const r = await execa('bash', [installScript()], {
        reject: false,
        stdio: ['ignore', 'inherit', 'inherit'],
      })
      if (r.exitCode !== 0)
        throw new IncompleteError(`scripts/install-deps.sh failed (exit ${r.exitCode ?? '?'})`)
      pkgs = await packageStatus()
    }
    const missing = pkgs.filter((p) => !p.installed).map((p) => p.name)
    if (!this.jsonEnabled()) {
      for (const p of pkgs)
        this.log(`${p.installed ? 'installed' : 'MISSING  '}  ${p.name}${p.version ? ` ${p.version}` : ''}`)
      this.log(
        missing.length
          ? `${missing.length} missing: sudo hacheck lab deps --install`
          : `All ${pkgs.length} packages installed.`,
      )
    }
    if (missing.length) process.exitCode = ExitCode.incomplete
    return {packages: pkgs, missing}
  }
}
