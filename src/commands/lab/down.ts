import {BaseCommand} from '../../cli/base-command.js'
import {formatDuration} from '../../core/duration.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'
import {labDown, type DownResult} from '../../lab/lab.js'

export default class LabDown extends BaseCommand<typeof LabDown> {
  static override summary = 'Tear the local HA lab down (idempotent).'

  static override description = `Kills the lab's processes (every process living in a hk-* network namespace: BMCs first, then the nodes), deletes the namespaces, bridges and veth pairs, and removes the lab directory (/var/lib/hacheck-lab or $HACHECK_LAB_DIR; only if it holds the lab's marker file). Works on a half-built or crashed lab, and does nothing when there is no lab. Never touches firewall rules or anything not named hk-*.

Linux and root only.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Remove the lab', command: 'sudo <%= config.bin %> <%= command.id %>'},
  ]

  public async run(): Promise<DownResult> {
    const r = await labDown()
    if (!this.jsonEnabled()) {
      if (r.namespaces.length === 0 && r.links.length === 0 && !r.removedDir) this.log('No lab to tear down.')
      else
        this.log(
          `Lab down in ${formatDuration(r.durationMs)}: ${r.namespaces.length} namespaces, ${r.links.length} links, ${r.killed} processes removed.`,
        )
    }
    return r
  }
}
