import {existsSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {importAnsible, type AnsibleParser} from '../../inventory/import.js'
import {summary} from '../../inventory/report.js'
import {checkOutputFile, writeOutputFile} from '../../cli/files.js'

export interface ImportCommandResult {
  source: string
  output?: string
  parser: 'ansible-inventory' | 'builtin'
  nodes: {name: string; host: string; port?: number; roles: string[]}[]
  warnings: string[]
  yaml: string
}

export default class InventoryImport extends BaseCommand<typeof InventoryImport> {
  static override summary = 'Turn an Ansible inventory (INI or YAML) into a hacheck inventory.'

  static override description = `Hosts become nodes; ansible_host, ansible_port, ansible_user and ansible_ssh_private_key_file are kept (settings all hosts share move to the top-level ssh: defaults). Groups become roles:

  cluster, pacemaker, corosync, ha, ha_cluster  → cluster
  lb, loadbalancer(s), haproxy, keepalived      → lb
  db, database(s), postgres(ql), pg, mysql, …   → db
  app, application(s), web, webservers, …       → app
  witness, qdevice, qnetd, quorum, arbiter      → witness
  log, logging, syslog, rsyslog, loghost        → log
  monitor(ing), prometheus, zabbix, nagios, …   → monitor
  any other group                               → a role of the same name

A group also matches on one of its words: db_servers → db, prod-lb → lb. Passwords (ansible_password, …) are never copied.

With ansible-inventory on the PATH (Debian: ansible-core) it reads the file exactly as Ansible does; otherwise a built-in parser reads the common subset: [group], [group:vars], [group:children], "host key=value", ranges such as web[01:03], and YAML all:/children:/hosts:/vars:.

The result always validates; add objectives, vip, networks and BMCs by hand. Written to --output (refused if it exists, unless --force) or stdout.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --ansible hosts.ini --output lab.yaml',
    '<%= config.bin %> <%= command.id %> --ansible inventory/prod.yml --name shop --user hacheck > shop.yaml',
    '<%= config.bin %> <%= command.id %> --ansible hosts.ini --parser builtin',
  ]

  static override flags = {
    ansible: Flags.string({
      summary: 'Ansible inventory file (INI or YAML) to import.',
      helpValue: 'FILE',
      required: true,
    }),
    output: Flags.string({
      char: 'o',
      summary: 'Write the hacheck inventory here instead of stdout.',
      helpValue: 'OUT',
    }),
    force: Flags.boolean({summary: 'Overwrite --output if it exists.'}),
    user: Flags.string({
      char: 'u',
      summary: 'SSH user for hosts that have no ansible_user.',
      helpValue: 'USER',
    }),
    name: Flags.string({
      summary: 'Cluster name (default: from the file or directory name).',
      helpValue: 'NAME',
    }),
    stack: Flags.string({
      summary: 'HA stack (default: pacemaker when a group maps to the cluster role, else generic).',
      options: ['pacemaker', 'generic'],
    }),
    parser: Flags.string({
      summary: 'Who reads the Ansible file.',
      description: 'auto uses ansible-inventory when it is installed, else the built-in parser.',
      options: ['auto', 'ansible-inventory', 'builtin'],
      default: 'auto',
    }),
  }

  public async run(): Promise<ImportCommandResult> {
    const {flags} = await this.parse(InventoryImport)
    if (flags.output) checkOutputFile(flags.output)
    if (flags.output && existsSync(flags.output) && !flags.force) {
      throw new InputError(`${flags.output} already exists; use --force to overwrite it`)
    }
    const res = await importAnsible({
      source: flags.ansible,
      output: flags.output,
      name: flags.name,
      stack: flags.stack as 'pacemaker' | 'generic' | undefined,
      user: flags.user,
      parser: flags.parser as AnsibleParser,
    })
    for (const w of res.warnings) this.logToStderr(`warning: ${w}`)
    if (flags.output) {
      writeOutputFile(flags.output, res.yaml)
      this.logToStderr(`${flags.output}: written (${summary(res.inventory)}; read by ${res.parser})`)
    } else {
      this.log(res.yaml.trimEnd())
    }
    return {
      source: flags.ansible,
      output: flags.output,
      parser: res.parser,
      nodes: res.inventory.nodes.map((n) => ({
        name: n.name,
        host: n.host,
        ...(n.port === undefined ? {} : {port: n.port}),
        roles: n.roles,
      })),
      warnings: res.warnings,
      yaml: res.yaml,
    }
  }
}
