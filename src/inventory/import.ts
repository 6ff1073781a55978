import {readFile} from 'node:fs/promises'
import {basename, dirname, extname, isAbsolute, relative, resolve} from 'node:path'

import {Document, isScalar, isSeq, visit} from 'yaml'

import {InputError} from '../core/errors.js'
import type {Inventory} from '../core/types.js'
import {
  findOnPath,
  parseAnsibleText,
  runAnsibleInventory,
  type AnsibleList,
  type AnsibleVars,
} from './ansible.js'
import {InventoryError, parseInventory, renderProblem} from './load.js'
import {GROUP_ROLES, KNOWN_ROLES, meantRole} from './roles.js'

/**
 * `hacheck inventory import --ansible`: an Ansible inventory → a hacheck
 * inventory YAML that validates. Groups become roles (GROUP_ROLES in roles.ts);
 * ansible_host/port/user/ssh_private_key_file become host/port/ssh.
 */

/** The hacheck role an Ansible group maps to (see GROUP_ROLES); `all` and `ungrouped` map to none. */
export function roleForGroup(group: string): string | undefined {
  const g = group.toLowerCase()
  if (g === 'all' || g === 'ungrouped') return undefined
  const lookup = (word: string): string | undefined =>
    Object.entries(GROUP_ROLES).find(([, names]) => names.includes(word))?.[0]
  const whole = lookup(g.replace(/-/g, '_'))
  if (whole) return whole
  for (const word of g.split(/[_.-]+/)) {
    const role = lookup(word)
    if (role) return role
  }
  const slug = g.replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '')
  // A near-miss of a known role is that role (validation refuses it as a typo otherwise).
  return meantRole(slug) ?? (slug || `group-${g.replace(/[^a-z0-9_-]+/g, '-')}`)
}

const ROLE_ORDER: readonly string[] = KNOWN_ROLES

/** Known roles first, in GROUP_ROLES order, then the others alphabetically: the same whichever parser ran. */
function byRole(a: string, b: string): number {
  const ia = ROLE_ORDER.indexOf(a)
  const ib = ROLE_ORDER.indexOf(b)
  if (ia >= 0 || ib >= 0) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib)
  return a.localeCompare(b)
}

export type AnsibleParser = 'auto' | 'ansible-inventory' | 'builtin'

export interface ImportOptions {
  /** The Ansible inventory file, as the operator gave it. */
  source: string
  /** Where the result will be written (relative key paths are made relative to it); stdout when absent. */
  output?: string
  name?: string
  stack?: 'pacemaker' | 'generic'
  /** SSH user for hosts without ansible_user. */
  user?: string
  parser?: AnsibleParser
}

export interface ImportResult {
  yaml: string
  inventory: Inventory
  parser: 'ansible-inventory' | 'builtin'
  warnings: string[]
}

/** Reads the Ansible inventory (ansible-inventory when available, per `parser`) and converts it. */
export async function importAnsible(opts: ImportOptions): Promise<ImportResult> {
  const wanted = opts.parser ?? 'auto'
  let text: string
  try {
    text = await readFile(opts.source, 'utf8')
  } catch (err) {
    const code = (err as {code?: string}).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err)
    throw new InputError(`${opts.source}: cannot read the Ansible inventory: ${why}`)
  }
  let list: AnsibleList
  let parser: ImportResult['parser']
  if (wanted === 'ansible-inventory' || (wanted === 'auto' && findOnPath('ansible-inventory'))) {
    if (!findOnPath('ansible-inventory')) {
      throw new InputError('ansible-inventory is not installed (Debian: apt-get install ansible-core)', {
        actions: ['Or use the built-in parser: --parser builtin'],
      })
    }
    list = await runAnsibleInventory(opts.source)
    parser = 'ansible-inventory'
  } else {
    list = parseAnsibleText(text, opts.source)
    parser = 'builtin'
  }
  return {...convertAnsible(list, opts), parser}
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim()
  if (typeof v === 'number') return String(v)
  return undefined
}

/** Hosts in Ansible's order: depth-first from `all`, then any left over. */
function hostOrder(list: AnsibleList): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const walk = (g: string): void => {
    if (seen.has(g)) return
    seen.add(g)
    const body = list.groups[g]
    if (!body) return
    for (const h of body.hosts) if (!out.includes(h)) out.push(h)
    for (const c of body.children) walk(c)
  }
  walk('all')
  for (const g of Object.keys(list.groups)) walk(g)
  for (const h of Object.keys(list.hostvars)) if (!out.includes(h)) out.push(h)
  return out
}

/** Groups (all levels) each host belongs to, in group order. */
function groupsOf(list: AnsibleList): Map<string, string[]> {
  const members = new Map<string, Set<string>>()
  const membersOf = (g: string, stack: Set<string> = new Set()): Set<string> => {
    const cached = members.get(g)
    if (cached) return cached
    const out = new Set(list.groups[g]?.hosts ?? [])
    stack.add(g)
    for (const c of list.groups[g]?.children ?? [])
      if (!stack.has(c)) for (const h of membersOf(c, stack)) out.add(h)
    stack.delete(g)
    members.set(g, out)
    return out
  }
  const byHost = new Map<string, string[]>()
  for (const g of Object.keys(list.groups)) {
    for (const h of membersOf(g)) byHost.set(h, [...(byHost.get(h) ?? []), g])
  }
  return byHost
}

const NAME_OK = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
const SECRET_VARS = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_sudo_pass',
]

function clusterNameFrom(source: string): string {
  const abs = resolve(source)
  let base = basename(abs, extname(abs))
  if (['hosts', 'inventory', 'main', 'all', 'hosts.yml', 'hosts.yaml'].includes(base.toLowerCase())) {
    base = basename(dirname(abs))
  }
  const slug = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
  return slug || 'cluster'
}

interface DraftNode {
  name: string
  host: string
  port?: number
  roles: string[]
  ssh: {user?: string; identityFile?: string; proxyJump?: string}
}

/** Converts a read Ansible inventory into hacheck inventory YAML, and checks that it validates. */
export function convertAnsible(list: AnsibleList, opts: ImportOptions): Omit<ImportResult, 'parser'> {
  const warnings: string[] = []
  const byHost = groupsOf(list)
  const hosts = hostOrder(list)
  if (hosts.length === 0) throw new InputError(`${opts.source}: no hosts found in the Ansible inventory`)
  const keyPath = (p: string): string => {
    if (isAbsolute(p) || p.startsWith('~')) return p
    const abs = resolve(dirname(resolve(opts.source)), p)
    if (!opts.output) return abs
    const rel = relative(dirname(resolve(opts.output)), abs)
    return rel.startsWith('.') ? rel : `./${rel}`
  }
  const usedNames = new Set<string>()
  const nodes: DraftNode[] = hosts.map((h) => {
    const v: AnsibleVars = list.hostvars[h] ?? {}
    let name = NAME_OK.test(h)
      ? h
      : h
          .replace(/[^A-Za-z0-9._-]+/g, '-')
          .replace(/^[^A-Za-z0-9]+/, '')
          .slice(0, 63)
    if (name !== h)
      warnings.push(`host ${h}: renamed to ${name} (node names are letters, digits, '.', '-', '_')`)
    for (let n = 2; usedNames.has(name.toLowerCase()); n++) name = `${name.replace(/-\d+$/, '')}-${n}`
    usedNames.add(name.toLowerCase())
    let host = str(v.ansible_host) ?? str(v.ansible_ssh_host) ?? h
    if (host.includes('{{')) {
      warnings.push(`host ${h}: ansible_host ${host} is a template hacheck cannot render; using ${h}`)
      host = h
    }
    const node: DraftNode = {name, host, roles: [], ssh: {}}
    const portText = str(v.ansible_port) ?? str(v.ansible_ssh_port)
    if (portText !== undefined) {
      const port = Number(portText)
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InputError(
          `${opts.source}: host ${h}: ansible_port ${JSON.stringify(portText)} is not a port number`,
        )
      }
      if (port !== 22) node.port = port
    }
    const user = str(v.ansible_user) ?? str(v.ansible_ssh_user) ?? opts.user
    if (user !== undefined) node.ssh.user = user
    const key = str(v.ansible_ssh_private_key_file) ?? str(v.ansible_private_key_file)
    if (key !== undefined) node.ssh.identityFile = keyPath(key)
    const sshArgs = [str(v.ansible_ssh_common_args), str(v.ansible_ssh_extra_args)].filter(Boolean).join(' ')
    const jump = /(?:-J\s*|ProxyJump[= ])([^\s'"]+)/.exec(sshArgs)?.[1]
    if (jump) node.ssh.proxyJump = jump
    for (const secret of SECRET_VARS) {
      if (v[secret] !== undefined) {
        warnings.push(`host ${h}: ${secret} ignored: hacheck never stores passwords; use a key or ssh-agent`)
      }
    }
    const conn = str(v.ansible_connection)
    if (conn && !['ssh', 'smart', 'paramiko'].includes(conn)) {
      warnings.push(`host ${h}: ansible_connection=${conn}; hacheck connects over SSH to ${host}`)
    }
    for (const g of byHost.get(h) ?? []) {
      const role = roleForGroup(g)
      if (role && !node.roles.includes(role)) node.roles.push(role)
    }
    node.roles.sort(byRole)
    return node
  })

  // An SSH setting every node has moves to the top-level ssh: defaults (its most common value;
  // the nodes with another value keep theirs as an override).
  const defaults: DraftNode['ssh'] = {}
  for (const k of ['user', 'identityFile', 'proxyJump'] as const) {
    if (!nodes.every((n) => n.ssh[k] !== undefined)) continue
    const counts = new Map<string, number>()
    for (const n of nodes) counts.set(n.ssh[k] as string, (counts.get(n.ssh[k] as string) ?? 0) + 1)
    const [common] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? []
    if (common === undefined) continue
    defaults[k] = common
    for (const n of nodes) if (n.ssh[k] === common) delete n.ssh[k]
  }
  const stack = opts.stack ?? (nodes.some((n) => n.roles.includes('cluster')) ? 'pacemaker' : 'generic')
  const out: Record<string, unknown> = {cluster: {name: opts.name ?? clusterNameFrom(opts.source), stack}}
  if (Object.keys(defaults).length > 0) out.ssh = defaults
  out.nodes = nodes.map((n) => {
    const o: Record<string, unknown> = {name: n.name, host: n.host}
    if (n.port !== undefined) o.port = n.port
    o.roles = n.roles
    if (Object.keys(n.ssh).length > 0) o.ssh = n.ssh
    return o
  })

  const doc = new Document(out)
  doc.commentBefore = [
    ` hacheck inventory imported from ${basename(opts.source)} (Ansible) by \`hacheck inventory import\`.`,
    ' Ansible does not know the cluster: add objectives (rto, rpo), the vip, networks and',
    " each node's bmc (for power faults), then check with `hacheck inventory validate`.",
    ' Reference: docs/inventory.md',
  ].join('\n')
  // Short lists inline (roles: [cluster, db]); the node list stays in block style.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value !== 'nodes' && isSeq(pair.value)) pair.value.flow = true
    },
  })
  const yaml = doc.toString({lineWidth: 0, flowCollectionPadding: false})
  const display = opts.output ?? `${basename(opts.source)} (imported)`
  let inventory: Inventory
  try {
    inventory = parseInventory(
      yaml,
      opts.output ? resolve(opts.output) : resolve(dirname(resolve(opts.source)), 'imported.yaml'),
    )
  } catch (err) {
    if (err instanceof InventoryError) {
      throw new InputError(
        [
          `${opts.source}: the imported inventory would not be valid:`,
          ...err.problems.map((p) => renderProblem(display, p)),
        ].join('\n'),
      )
    }
    throw err
  }
  return {yaml, inventory, warnings}
}
