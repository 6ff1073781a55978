/**
 * `hacheck lab` orchestration: build a lab from nothing, reconfigure a running lab in place (variants,
 * reconfigure.ts), report its status and tear it down.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError, InputError} from '../core/errors.js'
import {registerSecret} from '../core/secrets.js'
import {checkPromRules, prepareDbData} from './db.js'
import {prepareMariadbData} from './galera.js'
import {preparePatroniDirs} from './patroni.js'
import {degrade, type DegradeResult, type DegradeState} from './degrade.js'
import {clusterSummary, waitReady, type ClusterSummary} from './health.js'
import {createNetwork, listLabLinks, listLabNamespaces, pidInNamespace, teardownHost} from './host.js'
import {inventoryYaml} from './inventory.js'
import {
  installScripts,
  inNode,
  knownHostsText,
  makeLabKeys,
  nodeBooted,
  nodeInitPid,
  prepareBmc,
  prepareNode,
  startPower,
  writeKnownHostsEverywhere,
} from './nodes.js'
import type {LabSpec} from './render.js'
import {vrrpPassword} from './render-web.js'
import {READY_TIMEOUT_MS, reconfigure, type Progress} from './reconfigure.js'
import {
  acquireLock,
  labDir,
  labHome,
  MARKER,
  readState,
  statePath,
  writeState,
  type LabState,
} from './state.js'
import {
  BMC_PASSWORD_ENV,
  clusterNodes,
  networksOf,
  isProfileName,
  nodesOf,
  parseVariants,
  PROFILES,
  VIP,
  type NodeDef,
  type ProfileName,
  type VariantName,
} from './topology.js'

export type {Progress} from './reconfigure.js'
export {READY_TIMEOUT_MS} from './reconfigure.js'

/** Paths every node (or some nodes) replaces with its own: the lab directory cannot live there. */
const NODE_PRIVATE_PATHS = [
  '/tmp',
  '/run',
  '/var/run',
  '/dev',
  '/proc',
  '/sys',
  '/var/log',
  '/etc/ssh',
  '/etc/corosync',
  '/etc/pacemaker',
  '/etc/haproxy',
  '/etc/rsyslog.d',
  '/var/lib/pacemaker',
  '/var/lib/corosync',
  '/var/lib/pcsd',
  '/srv',
]

/** Linux and root only: one clear error otherwise. */
export function preflight(): void {
  if (process.platform !== 'linux') {
    throw new IncompleteError(
      `hacheck lab needs Linux (network, PID and mount namespaces, bridges); this is ${process.platform}`,
      {code: 'lab-unsupported-os'},
    )
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new InputError(
      'hacheck lab must run as root (it creates network namespaces and bridges): use sudo',
      {
        code: 'lab-not-root',
      },
    )
  }
}

export function specOf(
  st: Pick<LabState, 'profile' | 'variants' | 'bmcPassword' | 'labDir' | 'clusterName'>,
): LabSpec {
  if (!isProfileName(st.profile)) {
    // A state file written by another hacheck version (or edited): its profile is not one this hacheck knows.
    throw new InputError(
      `the lab state ${statePath(st.labDir)} names profile "${String(st.profile)}", which this hacheck does not know`,
      {
        code: 'lab-unknown-profile',
        actions: [
          `known profiles: ${Object.keys(PROFILES).join(', ')}`,
          'tear that lab down with `hacheck lab down` (it needs only the namespaces and PIDs the state lists), then `hacheck lab up`',
        ],
      },
    )
  }
  const spec: LabSpec = {
    profile: st.profile,
    variants: [...st.variants],
    nodes: nodesOf(st.profile),
    clusterName: st.clusterName,
    bmcPassword: st.bmcPassword,
    labDir: st.labDir,
    labBin: join(st.labDir, 'bin'),
  }
  // The lab's VRRP password is derived from its secret: scrubbed from every log line like it.
  if (st.profile === 'web') {
    registerSecret(vrrpPassword(st.bmcPassword))
    registerSecret(vrrpPassword(st.bmcPassword, 'other'))
  }
  const tls = join(st.labDir, 'tls', 'www.hacheck.lab')
  if (existsSync(`${tls}.crt`) && existsSync(`${tls}.key`)) {
    spec.tlsPem = readFileSync(`${tls}.crt`, 'utf8') + readFileSync(`${tls}.key`, 'utf8')
  }
  return spec
}

function allNamespaces(nodes: readonly NodeDef[]): string[] {
  return nodes.flatMap((n) => [n.netns, ...(n.bmc ? [n.bmc.netns] : [])])
}

/** The lab processes lab up started (ipmi_sim per BMC, power script per BMC-less node) are alive. */
function infraAlive(st: LabState, spec: LabSpec): boolean {
  const present = new Set(listLabNamespaces())
  if (!allNamespaces(spec.nodes).every((ns) => present.has(ns))) return false
  return spec.nodes.every((n) => {
    if (!n.bmc) return true
    const pid = st.pids[n.name]
    return pid !== undefined && pidInNamespace(pid, n.bmc.netns)
  })
}

function secs(ms: number): number {
  return Math.round(ms / 100) / 10
}

function removeLabDir(dir: string): void {
  if (!existsSync(dir)) return
  if (existsSync(join(dir, MARKER))) {
    rmSync(dir, {recursive: true, force: true})
    return
  }
  if (readdirSync(dir).length > 0) {
    throw new InputError(
      `${dir} exists and is not a hacheck lab directory (no ${MARKER} in it); refusing to touch it`,
      {
        actions: ['set HACHECK_LAB_DIR to another directory, or remove it yourself'],
      },
    )
  }
}

export interface UpOptions {
  profile: ProfileName
  variants: VariantName[]
  /** Rebuild even when a lab of the same profile is running. */
  rebuild?: boolean
  onProgress?: Progress
}

export interface UpResult {
  mode: 'built' | 'reconfigured'
  durationMs: number
  status: LabStatus
}

export async function labUp(opts: UpOptions): Promise<UpResult> {
  preflight()
  const dir = labDir()
  if (/\s/.test(dir)) throw new InputError(`HACHECK_LAB_DIR must not contain spaces: ${JSON.stringify(dir)}`)
  // Nodes mount their own tmpfs or private directories over these: a lab inside them would vanish.
  const hidden = NODE_PRIVATE_PATHS.find((p) => dir === p || dir.startsWith(`${p}/`))
  if (hidden) {
    throw new InputError(`HACHECK_LAB_DIR must not be under ${hidden}: lab nodes mount their own ${hidden}`, {
      actions: ['use the default /var/lib/hacheck-lab, or another directory such as /var/lib/hacheck-lab-2'],
    })
  }
  // Validates (profile applicability, conflicts) and normalizes (sorted, unique).
  opts = {...opts, variants: parseVariants(opts.profile, opts.variants)}
  const release = acquireLock(dir)
  try {
    const st = readState(dir)
    const t0 = Date.now()
    let mode: UpResult['mode']
    if (
      !opts.rebuild &&
      st &&
      (st.phase === 'up' || st.phase === 'reconfiguring') &&
      st.profile === opts.profile &&
      infraAlive(st, specOf(st))
    ) {
      registerSecret(st.bmcPassword)
      await reconfigure(
        st,
        specOf({...st, variants: opts.variants}),
        opts.variants,
        opts.onProgress ?? (() => undefined),
      )
      mode = 'reconfigured'
    } else {
      await build(dir, st, opts)
      mode = 'built'
    }
    return {mode, durationMs: Date.now() - t0, status: await labStatus()}
  } finally {
    release()
  }
}

async function build(dir: string, old: LabState | undefined, opts: UpOptions): Promise<void> {
  const say = opts.onProgress ?? (() => undefined)
  const t0 = Date.now()
  const timings: Record<string, number> = {}
  const mark = (k: string): void => {
    timings[k] = secs(Date.now() - t0)
  }
  if (old || listLabNamespaces().length || (await listLabLinks()).length) {
    say('removing the previous lab')
    await teardownHost(old?.namespaces ?? [], Object.values(old?.pids ?? {}))
  }
  removeLabDir(dir)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  writeFileSync(join(dir, MARKER), 'hacheck lab directory: `hacheck lab down` deletes it\n')
  mark('cleanup')

  const bmcPassword = `lab-${randomBytes(6).toString('hex')}`
  registerSecret(bmcPassword)
  const now = new Date().toISOString()
  const st: LabState = {
    version: 1,
    phase: 'building',
    profile: opts.profile,
    variants: opts.variants,
    clusterName: opts.profile === 'web' ? 'web' : 'lab',
    labDir: dir,
    createdAt: now,
    updatedAt: now,
    bmcPassword,
    namespaces: [],
    links: [],
    pids: {},
    timings: {},
  }
  const spec = specOf(st)
  st.namespaces = allNamespaces(spec.nodes)
  st.links = [
    ...networksOf(spec.nodes).map((n) => n.bridge),
    ...spec.nodes.flatMap((n) => [...n.ifaces.map((f) => f.hostVeth), ...(n.bmc ? [n.bmc.hostVeth] : [])]),
  ]
  // Recorded before anything exists, so a crash from here on is cleaned up by the next up/down.
  writeState(st)

  say(`preparing ${spec.nodes.length} nodes (keys, configuration)`)
  const keys = await makeLabKeys(spec)
  installScripts(spec)
  await Promise.all(spec.nodes.map((n) => prepareNode(spec, n, keys)))
  await prepareDbData(spec)
  await prepareMariadbData(spec)
  preparePatroniDirs(spec)
  await checkPromRules(spec)
  for (const n of spec.nodes) prepareBmc(spec, n)
  writeKnownHostsEverywhere(spec, knownHostsText(spec))
  writeFileSync(join(dir, 'inventory.yaml'), inventoryYaml(spec))
  mark('prepared')

  say('creating bridges, namespaces and veth pairs')
  await createNetwork(networksOf(spec.nodes), spec.nodes)
  mark('network')

  say('powering on the nodes (BMCs first)')
  for (const n of spec.nodes) st.pids[n.name] = startPower(spec, n)
  writeState(st)
  mark('powered')

  say('waiting for sshd, quorum, DC and resources')
  let lastWhy = ''
  const why = await waitReady(spec, READY_TIMEOUT_MS, (w) => {
    if (w !== lastWhy) say(`  … ${w}`)
    lastWhy = w
  })
  if (why !== undefined) {
    throw new IncompleteError(`the lab did not become ready within ${READY_TIMEOUT_MS / 1000}s: ${why}`, {
      code: 'lab-not-ready',
      actions: [
        `node consoles: ${join(dir, 'nodes', '*', 'console.log')}`,
        'remove it with: hacheck lab down',
      ],
    })
  }
  mark('ready')
  st.phase = 'up'
  st.timings = timings
  writeState(st)
}

export interface DownResult {
  durationMs: number
  killed: number
  namespaces: string[]
  links: string[]
  removedDir: boolean
}

export async function labDown(): Promise<DownResult> {
  preflight()
  const dir = labDir()
  const release = acquireLock(dir)
  try {
    const t0 = Date.now()
    const st = readState(dir)
    if (st) {
      st.phase = 'tearing-down'
      writeState(st)
    }
    const r = await teardownHost(st?.namespaces ?? [], Object.values(st?.pids ?? {}))
    const hadDir = existsSync(join(dir, MARKER))
    if (hadDir) rmSync(dir, {recursive: true, force: true})
    return {
      durationMs: Date.now() - t0,
      killed: r.killed,
      namespaces: r.namespaces,
      links: r.links,
      removedDir: hadDir,
    }
  } finally {
    release()
  }
}

export type NodeState = 'running' | 'booting' | 'off'

export interface LabStatus {
  up: boolean
  profile: ProfileName | null
  variants: VariantName[]
  /** Where the lab's files are (see labHome): the state file's own labDir, unless that directory is gone. */
  labDir: string
  /** Why labDir is not the directory the state file was read from (a copied or moved state). */
  note?: string
  inventory: string | null
  env: Record<string, string>
  nodes: {name: string; host: string; roles: string[]; state: NodeState; bmc?: string}[]
  vip?: string
  ssh?: {user: string; identityFile: string; knownHosts: string}
  cluster?: ClusterSummary
  phase?: LabState['phase']
  timings?: Record<string, number>
  summary?: string
}

/** Status of the lab; `cluster` adds a crm_mon summary (quorum, DC, resources). */
export async function labStatus(opts: {cluster?: boolean} = {}): Promise<LabStatus> {
  preflight()
  const dir = labDir()
  const st = readState(dir)
  if (!st) {
    return {up: false, profile: null, variants: [], labDir: dir, inventory: null, env: {}, nodes: []}
  }
  registerSecret(st.bmcPassword)
  const home = labHome(dir, st, (d) => existsSync(join(d, MARKER)))
  const spec = specOf({...st, labDir: home.labDir})
  const nodes = spec.nodes.map((n) => {
    const state: NodeState =
      nodeInitPid(spec, n) === undefined ? 'off' : nodeBooted(spec, n) ? 'running' : 'booting'
    return {name: n.name, host: n.host, roles: [...n.roles], state, ...(n.bmc ? {bmc: n.bmc.addr} : {})}
  })
  const pcmk = clusterNodes(spec.nodes).length > 0
  const status: LabStatus = {
    up: st.phase === 'up' && infraAlive(st, spec),
    profile: st.profile,
    variants: st.variants,
    labDir: home.labDir,
    ...(home.note ? {note: home.note} : {}),
    inventory: join(home.labDir, 'inventory.yaml'),
    env: pcmk ? {[BMC_PASSWORD_ENV]: st.bmcPassword} : {},
    nodes,
    ...(pcmk || st.profile === 'web' ? {vip: VIP} : {}),
    ssh: {
      user: 'root',
      identityFile: join(home.labDir, 'id_lab'),
      knownHosts: join(home.labDir, 'known_hosts'),
    },
    phase: st.phase,
    timings: st.timings,
    summary: PROFILES[st.profile].summary,
  }
  if (opts.cluster && pcmk && nodes.some((n) => n.state === 'running')) {
    status.cluster = await clusterSummary(spec)
  }
  return status
}

/** Runs a command in a lab node by name (nsenter). For tests and troubleshooting. */
export async function execInLabNode(
  name: string,
  argv: readonly string[],
  opts: {input?: string; timeoutMs?: number} = {},
): Promise<{stdout: string; stderr: string; exitCode: number}> {
  preflight()
  const st = readState()
  if (!st) throw new InputError('no lab is up')
  const spec = specOf(st)
  const node = spec.nodes.find((n) => n.name === name)
  if (!node) throw new InputError(`no lab node named ${name}`)
  return inNode(spec, node, argv, opts)
}

/** Puts the running lab into a degraded state on purpose (see degrade.ts); `lab up` restores it. */
export async function labDegrade(
  state: DegradeState,
  opts: {node?: string; link?: number},
  say: Progress,
): Promise<DegradeResult> {
  preflight()
  const dir = labDir()
  const st = readState(dir)
  if (!st || st.phase !== 'up') throw new InputError('no lab is up: start one with hacheck lab up')
  const spec = specOf(st)
  if (clusterNodes(spec.nodes).length === 0)
    throw new InputError(`lab degrade: profile ${st.profile} has no Pacemaker cluster to degrade`)
  const release = acquireLock(dir)
  try {
    return await degrade(spec, state, {...opts, vip: VIP}, say)
  } finally {
    release()
  }
}
