import {homedir} from 'node:os'
import {dirname, isAbsolute, join, resolve} from 'node:path'

import {canonicalAddress} from '../core/address.js'
import {parseDurationMs} from '../core/duration.js'
import {InputError} from '../core/errors.js'
import type {BmcRef, ClusterSpec, Inventory, NodeSpec, SshSettings} from '../core/types.js'
import {formatPath, isRecord, translateSchemaErrors} from './messages.js'
import {meantRole} from './roles.js'
import {schemaErrors} from './schema.js'
import {parseSource, type ParsedSource, type PathSegment, type Problem} from './source.js'
import {readInputText} from '../io/files.js'

export type {Problem} from './source.js'

/** At most this many problems are listed; a last line says how many more there were. */
const MAX_PROBLEMS = 50

/**
 * An inventory that cannot be used. `message` is one line per problem,
 * `FILE:LINE:COL: PATH: expected …, found …`; `problems` has the same, structured.
 */
export class InventoryError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(renderProblems(file, problems), {
      code: 'invalid-inventory',
      actions: ['The inventory format is described in docs/inventory.md.'],
    })
    this.name = 'InventoryError'
  }
}

export function renderProblem(file: string, p: Problem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}:${p.col ?? 1}`
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`
}

export function renderProblems(file: string, problems: readonly Problem[]): string {
  const lines = problems.slice(0, MAX_PROBLEMS).map((p) => renderProblem(file, p))
  if (problems.length > MAX_PROBLEMS)
    lines.push(`${file}: … and ${problems.length - MAX_PROBLEMS} more problems`)
  return lines.join('\n')
}

/**
 * Reads, validates and resolves an inventory file (YAML or JSON, told apart by
 * content). `file` is shown as given in error messages; the result's `file` is
 * absolute. Throws InventoryError (an InputError, exit 2) listing every problem.
 */
export async function loadInventory(file: string): Promise<Inventory> {
  let text: string
  try {
    text = await readInputText(file)
  } catch (err) {
    throw new InventoryError(file, [{path: '', message: `cannot read the inventory: ${readFailure(err)}`}])
  }
  return parseInventory(text, file)
}

/**
 * Validates and resolves inventory text. `file` names it in messages and is
 * the base for relative paths (identityFile, knownHosts).
 */
export function parseInventory(text: string, file: string): Inventory {
  const parsed = parseSource(text, file)
  if (!parsed.ok) throw new InventoryError(file, parsed.problems)
  const {source} = parsed
  const problems = [...translateSchemaErrors(schemaErrors(source.data), source), ...crossChecks(source)]
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0))
    throw new InventoryError(file, problems)
  }
  return resolveInventory(source.data as RawInventory, resolve(file))
}

function readFailure(err: unknown): string {
  const code = (err as {code?: string} | null)?.code
  switch (code) {
    case 'ENOENT':
      return 'no such file'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'it is a directory, not a file'
    default:
      return err instanceof Error ? err.message : String(err)
  }
}

/* ------------------------------------------------------------------ */
/* Checks a JSON Schema cannot express: uniqueness across nodes, …      */

const DEFAULT_SSH_PORT = 22
const DEFAULT_BMC_PORT = 623

function crossChecks(source: ParsedSource): Problem[] {
  const data = source.data
  if (!isRecord(data) || !Array.isArray(data.nodes)) return []
  const problems: Problem[] = []
  const at = (path: PathSegment[], message: string): void => {
    problems.push({...source.locate(path), path: formatPath(path), message})
  }
  const defaultPort =
    isRecord(data.ssh) && typeof data.ssh.port === 'number' ? data.ssh.port : DEFAULT_SSH_PORT
  const names = new Map<string, number>()
  const hosts = new Map<string, number>()
  const bmcs = new Map<string, number>()
  const lineOf = (path: PathSegment[]): number => source.locate(path).line
  data.nodes.forEach((node: unknown, i: number) => {
    if (!isRecord(node)) return
    if (typeof node.name === 'string') {
      const key = node.name.toLowerCase()
      const first = names.get(key)
      if (first === undefined) names.set(key, i)
      else {
        at(
          ['nodes', i, 'name'],
          `expected a name no other node has, found ${JSON.stringify(node.name)} again (nodes[${first}], line ${lineOf(['nodes', first])})`,
        )
      }
    }
    const nodeSsh = isRecord(node.ssh) ? node.ssh : {}
    if (typeof node.port === 'number' && typeof nodeSsh.port === 'number' && node.port !== nodeSsh.port) {
      at(['nodes', i, 'port'], `expected the same port as ssh.port (${nodeSsh.port}), found ${node.port}`)
    }
    if (typeof node.host === 'string') {
      const port =
        typeof node.port === 'number'
          ? node.port
          : typeof nodeSsh.port === 'number'
            ? nodeSsh.port
            : defaultPort
      const key = `${canonicalAddress(node.host)}:${port}`
      const first = hosts.get(key)
      if (first === undefined) hosts.set(key, i)
      else {
        at(
          ['nodes', i, 'host'],
          `expected a host (and port) no other node uses, found ${JSON.stringify(node.host)} again (nodes[${first}], line ${lineOf(['nodes', first])})`,
        )
      }
    }
    if (isRecord(node.bmc) && typeof node.bmc.host === 'string') {
      const port = typeof node.bmc.port === 'number' ? node.bmc.port : DEFAULT_BMC_PORT
      const key = `${canonicalAddress(node.bmc.host)}:${port}`
      const first = bmcs.get(key)
      if (first === undefined) bmcs.set(key, i)
      else {
        // Two nodes on one BMC: a power fault on one would cut the other.
        at(
          ['nodes', i, 'bmc', 'host'],
          `expected a BMC no other node uses, found ${JSON.stringify(node.bmc.host)} again (nodes[${first}], line ${lineOf(['nodes', first])})`,
        )
      }
    }
  })
  data.nodes.forEach((node: unknown, i: number) => {
    if (!isRecord(node) || !Array.isArray(node.roles)) return
    node.roles.forEach((role: unknown, j: number) => {
      // Only well-formed names: the schema already explains the others.
      if (typeof role !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(role)) return
      const meant = meantRole(role)
      if (meant)
        at(
          ['nodes', i, 'roles', j],
          `unknown role ${JSON.stringify(role)} (did you mean "${meant}"?): a node without the ${meant} role is left out of every ${meant} check`,
        )
    })
  })
  const cluster = isRecord(data.cluster) ? data.cluster : undefined
  if (cluster && typeof cluster.vip === 'string') {
    // Compared in canonical form: ::ffff:198.18.2.11 is 198.18.2.11, 2001:db8:0::1 is 2001:db8::1.
    const vip = canonicalAddress(cluster.vip)
    const owner = data.nodes.findIndex(
      (n: unknown) => isRecord(n) && typeof n.host === 'string' && canonicalAddress(n.host) === vip,
    )
    if (owner >= 0) {
      at(
        ['cluster', 'vip'],
        `expected an address no node uses as its own host, found ${JSON.stringify(cluster.vip)}, the host of nodes[${owner}]`,
      )
    }
  }
  return problems
}

/* ------------------------------------------------------------------ */
/* Resolution into the Inventory type                                   */

interface RawSsh {
  user?: string
  port?: number
  identityFile?: string | string[]
  passphraseEnv?: string
  knownHosts?: string | string[]
  proxyJump?: string
  sudo?: boolean
  agent?: boolean
  configFile?: string | false
}

interface RawNode {
  name: string
  host: string
  port?: number
  roles?: string[]
  ssh?: RawSsh
  bmc?: BmcRef
  labels?: Record<string, string | number | boolean>
}

interface RawInventory {
  cluster: {
    name: string
    stack: ClusterSpec['stack']
    objectives?: {rto?: string | number; rpo?: string | number}
    vip?: string
    service?: {url?: string; port?: number}
    peakLoad?: {cpu?: number; memory?: string | number}
    tls?: {hostnames: string[]}
    database?: {
      kind?: 'postgresql'
      host?: string
      port?: number
      name?: string
      user?: string
      passwordEnv?: string
    }
  }
  networks?: Record<string, string>
  ssh?: RawSsh
  nodes: RawNode[]
}

/** `~` and `~/x` are the home directory; other relative paths are relative to `baseDir`. */
export function resolveUserPath(path: string, baseDir: string): string {
  if (path === '~') return homedir()
  if (path.startsWith('~/')) return join(homedir(), path.slice(2))
  return isAbsolute(path) ? path : resolve(baseDir, path)
}

function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined
  return Array.isArray(v) ? v : [v]
}

function resolveSsh(raw: RawSsh | undefined, baseDir: string): SshSettings {
  if (!raw) return {}
  const out: SshSettings = {}
  if (raw.user !== undefined) out.user = raw.user
  if (raw.port !== undefined) out.port = raw.port
  const ids = list(raw.identityFile)
  if (ids) out.identityFiles = ids.map((p) => resolveUserPath(p, baseDir))
  if (raw.passphraseEnv !== undefined) out.passphraseEnv = raw.passphraseEnv
  const kh = list(raw.knownHosts)
  if (kh) out.knownHosts = kh.map((p) => resolveUserPath(p, baseDir))
  if (raw.proxyJump !== undefined) out.proxyJump = raw.proxyJump
  if (raw.sudo !== undefined) out.sudo = raw.sudo
  if (raw.agent !== undefined) out.agent = raw.agent
  if (raw.configFile !== undefined) {
    out.configFile = raw.configFile === false ? false : resolveUserPath(raw.configFile, baseDir)
  }
  return out
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
}

/** `48GiB` → bytes; a bare number is bytes. */
export function parseSizeBytes(v: string | number): number | undefined {
  if (typeof v === 'number') return v
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i.exec(v.trim())
  if (!m) return undefined
  const unit = SIZE_UNITS[(m[2] ?? 'B').toUpperCase()]
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit)
}

function resolveInventory(raw: RawInventory, file: string): Inventory {
  const baseDir = dirname(file)
  const defaults = resolveSsh(raw.ssh, baseDir)
  const c = raw.cluster
  const cluster: ClusterSpec = {name: c.name, stack: c.stack, objectives: {}}
  if (c.objectives?.rto !== undefined) cluster.objectives.rtoMs = parseDurationMs(c.objectives.rto)
  if (c.objectives?.rpo !== undefined) cluster.objectives.rpoMs = parseDurationMs(c.objectives.rpo)
  if (c.vip !== undefined) cluster.vip = c.vip
  if (c.service) cluster.service = {...c.service}
  if (c.tls) cluster.tls = {hostnames: [...c.tls.hostnames]}
  if (c.database) cluster.database = {...c.database}
  if (c.peakLoad) {
    const peak: {cpu?: number; memoryBytes?: number} = {}
    if (c.peakLoad.cpu !== undefined) peak.cpu = c.peakLoad.cpu
    if (c.peakLoad.memory !== undefined) peak.memoryBytes = parseSizeBytes(c.peakLoad.memory)
    cluster.peakLoad = peak
  }
  const nodes = raw.nodes.map((n): NodeSpec => {
    const ssh: SshSettings = {...defaults, ...resolveSsh(n.ssh, baseDir)}
    if (n.port !== undefined) ssh.port = n.port
    // OpenSSH's `ProxyJump none`: no jump host for this node, whatever the defaults say.
    if (ssh.proxyJump === 'none') delete ssh.proxyJump
    const node: NodeSpec = {
      name: n.name,
      host: n.host,
      ...(ssh.port === undefined ? {} : {port: ssh.port}),
      roles: [...(n.roles ?? [])],
      ssh,
    }
    if (n.bmc) node.bmc = {...n.bmc}
    if (n.labels) node.labels = Object.fromEntries(Object.entries(n.labels).map(([k, v]) => [k, String(v)]))
    return node
  })
  return {file, cluster, networks: {...(raw.networks ?? {})}, nodes}
}
