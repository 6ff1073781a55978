/**
 * `hacheck lab` orchestration: build a lab from nothing, reconfigure a running lab
 * in place (variants), report its status and tear it down.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError, InputError} from '../core/errors.js'
import {registerSecret} from '../core/secrets.js'
import {sleep} from './exec.js'
import {checkPromRules, prepareDbData, repairDb} from './db.js'
import {galeraNodesOf, prepareMariadbData, restartGalera} from './galera.js'
import {restartMysql} from './mysql.js'
import {mysqlNodesOf} from './render-mysql.js'
import {applyPatroniDcs, preparePatroniDirs, repairPatroni} from './patroni.js'
import {clearDegrade, degrade, type DegradeResult, type DegradeState} from './degrade.js'
import {clusterSummary, dcIdle, waitReady, type ClusterSummary} from './health.js'
import {createNetwork, listLabLinks, listLabNamespaces, pidInNamespace, teardownHost} from './host.js'
import {inventoryYaml} from './inventory.js'
import {
  installScripts,
  inNode,
  ipmi,
  knownHostsText,
  makeLabKeys,
  nodeBooted,
  nodeInitPid,
  prepareBmc,
  prepareNode,
  startPower,
  writeKnownHostsEverywhere,
  writeNodeFiles,
} from './nodes.js'
import {cibConfiguration, type LabSpec} from './render.js'
import {vrrpPassword} from './render-web.js'
import {releaseVip, restartSessionTier} from './web.js'
import {acquireLock, labDir, MARKER, readState, writeState, type LabState} from './state.js'
import {
  BMC_PASSWORD_ENV,
  clusterNodes,
  networksOf,
  nodesOf,
  parseVariants,
  PROFILES,
  VIP,
  type NodeDef,
  type ProfileName,
  type VariantName,
} from './topology.js'

export type Progress = (msg: string) => void

export const READY_TIMEOUT_MS = 150_000

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
      await reconfigure(st, opts.variants, opts.onProgress ?? (() => undefined))
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

/** Powers on every node that is off (through its BMC when it has one). */
async function powerOnAll(st: LabState, spec: LabSpec, say: Progress): Promise<void> {
  for (const n of spec.nodes) {
    if (nodeInitPid(spec, n) !== undefined) continue
    // With the simulated POST, like a real machine: a fence still in flight must see it stay down.
    say(`powering on ${n.name}`)
    if (n.bmc) {
      const r = await ipmi(spec, n, 'on')
      if (r.exitCode !== 0)
        throw new IncompleteError(`lab: BMC of ${n.name} refused power on: ${r.stderr.trim()}`)
    } else {
      st.pids[n.name] = startPower(spec, n)
    }
  }
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline && !spec.nodes.every((n) => nodeBooted(spec, n))) await sleep(100)
}

async function inAll(
  spec: LabSpec,
  nodes: readonly NodeDef[],
  argv: string[],
  timeoutMs = 180_000,
  downIsDone = false,
): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const r = await inNode(spec, n, argv, {timeoutMs})
      if (r.exitCode !== 0 && downIsDone && (await goesDown(spec, n))) return
      if (r.exitCode !== 0) {
        throw new IncompleteError(
          `lab: on ${n.name}: ${argv.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`,
        )
      }
    }),
  )
}

/** Whether a node is (or within 5 s is) powered off: a fence left pending by `lab degrade` can land now. */
async function goesDown(spec: LabSpec, n: NodeDef): Promise<boolean> {
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    if (nodeInitPid(spec, n) === undefined) return true
    await sleep(200)
  }
  return false
}

async function waitQuorate(spec: LabSpec, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const s = await clusterSummary(spec)
    if (s?.quorate) return
    await sleep(250)
  }
  throw new IncompleteError('lab: the cluster did not become quorate after reconfiguration')
}

/** crm_mon's summary once the DC has finished every transition (undefined while it is busy). */
async function settledSummary(spec: LabSpec): Promise<ClusterSummary | undefined> {
  const s = await clusterSummary(spec)
  return s && (await dcIdle(spec, s.dc)) === 'S_IDLE' ? s : undefined
}

/** Applies variants to a running lab of the same profile, in place. */
async function reconfigure(st: LabState, variants: VariantName[], say: Progress): Promise<void> {
  const t0 = Date.now()
  const spec = specOf({...st, variants})
  st.phase = 'reconfiguring'
  writeState(st)
  await powerOnAll(st, spec, say)
  // `lab degrade` leftovers (iptables rules inside the nodes); its CIB changes go with the CIB replace below.
  await clearDegrade(spec)

  const changed = new Map<string, Set<string>>()
  for (const n of spec.nodes) changed.set(n.name, writeNodeFiles(spec, n))
  await checkPromRules(spec)
  const cluster = clusterNodes(spec.nodes)
  if (cluster.some((n) => changed.get(n.name)?.has('corosync'))) {
    say('corosync.conf changed: restarting the cluster stack on every cluster node')
    // Clearing an isolation lets the majority's pending fence of the isolated node land, now or during
    // the stop: a node powered off that way has nothing left to stop, and is powered on again below.
    await inAll(spec, cluster, ['systemctl', 'stop', 'pacemaker'], 180_000, true)
    await inAll(spec, cluster, ['systemctl', 'stop', 'corosync'], 180_000, true)
    await powerOnAll(st, spec, say)
    const units = spec.nodes.some((n) => n.roles.includes('witness'))
      ? ['corosync', 'corosync-qdevice', 'pacemaker']
      : ['corosync', 'pacemaker']
    await inAll(spec, cluster, ['systemctl', 'start', ...units])
  }
  // Data-tier nodes: a service a test stopped (an etcd member, mariadb) is started again (idempotent).
  await Promise.all(
    spec.nodes
      .filter((n) => n.roles.some((r) => r === 'galera' || r === 'mysql' || r === 'patroni'))
      .map((n) => inAll(spec, [n], ['systemctl', 'start', ...n.services])),
  )
  const galera = galeraNodesOf(spec).filter((n) => changed.get(n.name)?.has('mariadb'))
  if (galera.length) await restartGalera(spec, galera, say)
  const mysql = mysqlNodesOf(spec).filter((n) => changed.get(n.name)?.has('mariadb'))
  if (mysql.length) await restartMysql(spec, mysql, say)
  await applyPatroniDcs(spec, say)
  await repairPatroni(spec, say)
  // The session tier restarts as a whole (master first, Sentinels last), not node by node.
  const sessionTier = new Set(['redis', 'sentinel'])
  if (spec.nodes.some((n) => [...(changed.get(n.name) ?? [])].some((s) => sessionTier.has(s))))
    await restartSessionTier(spec, say)
  if (spec.profile === 'web') await releaseVip(spec, changed, say)
  for (const n of spec.nodes) {
    const svcs = [...(changed.get(n.name) ?? [])].filter(
      (s) => s !== 'corosync' && s !== 'mariadb' && !sessionTier.has(s) && n.services.includes(s),
    )
    if (svcs.length) {
      say(`${n.name}: restarting ${svcs.join(', ')}`)
      // All stopped before any starts: a proxy flavour switch (haproxy <-> nginx) frees port 443 first.
      await inAll(spec, [n], ['systemctl', 'stop', ...svcs])
      await inAll(spec, [n], ['systemctl', 'start', ...svcs])
    }
  }
  // A daemon a test killed (haproxy, keepalived, redis) is started again, as a reboot would: start is a
  // no-op for a running service. Cluster nodes' corosync/pacemaker are Pacemaker's business (below).
  if (cluster.length === 0)
    await Promise.all(spec.nodes.map((n) => inAll(spec, [n], ['systemctl', 'start', ...n.services])))
  if (cluster.length) {
    await waitQuorate(spec, 90_000)
    say('replacing the CIB configuration (one cibadmin call)')
    const first = cluster.find((n) => nodeInitPid(spec, n) !== undefined) as NodeDef
    const r = await inNode(spec, first, ['cibadmin', '--replace', '--scope', 'configuration', '--xml-pipe'], {
      input: cibConfiguration(spec),
      timeoutMs: 60_000,
    })
    if (r.exitCode !== 0) throw new IncompleteError(`lab: cibadmin --replace failed: ${r.stderr.trim()}`)
    // Healthy again means no leftovers from earlier tests: fail counts, fence history.
    await inNode(spec, first, ['crm_resource', '--cleanup'], {timeoutMs: 60_000})
    await inNode(spec, first, ['stonith_admin', '--history', '*', '--cleanup'], {timeoutMs: 30_000})
    // Profile db: a node left behind by a failover or a switchover (PGSQL.lock, diverged timeline)
    // is re-cloned from the primary, as an operator would.
    await repairDb(spec, () => settledSummary(spec), say)
  }
  writeFileSync(join(st.labDir, 'inventory.yaml'), inventoryYaml(spec))
  say('waiting for the cluster to settle')
  const why = await waitReady(spec, READY_TIMEOUT_MS)
  if (why !== undefined) {
    throw new IncompleteError(`the lab did not become ready after reconfiguration: ${why}`, {
      code: 'lab-not-ready',
    })
  }
  st.variants = variants
  st.phase = 'up'
  st.timings = {...st.timings, lastReconfigure: secs(Date.now() - t0)}
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
  labDir: string
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
  const spec = specOf(st)
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
    labDir: dir,
    inventory: join(dir, 'inventory.yaml'),
    env: pcmk ? {[BMC_PASSWORD_ENV]: st.bmcPassword} : {},
    nodes,
    ...(pcmk || st.profile === 'web' ? {vip: VIP} : {}),
    ssh: {user: 'root', identityFile: join(dir, 'id_lab'), knownHosts: join(dir, 'known_hosts')},
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
