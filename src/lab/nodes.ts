/**
 * Lab nodes on disk (private roots, keys, BMC configuration), their power (ipmi_sim
 * BMCs, or a bare power script for nodes without BMC) and running commands inside
 * a node (nsenter into its namespaces; tests use SSH instead).
 */
import {randomBytes} from 'node:crypto'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {mustRun, runLocal, spawnDetached, type LocalResult} from './exec.js'
import {pidInNamespace, readPidFile, writeFileIfChanged} from './host.js'
import {
  bindDirsOf,
  bindFilesOf,
  managedPaths,
  nodeEnv,
  nodeFiles,
  serviceForFile,
  type LabSpec,
} from './render.js'
import {initialCib} from './render-pacemaker.js'
import {BMC_USER, TLS_HOSTNAME, type NodeDef} from './topology.js'

/** The repository's lab/ directory (shell scripts copied into every lab). */
export function labAssetsDir(): string {
  return fileURLToPath(new URL('../../lab/', import.meta.url))
}

export const LAB_SCRIPTS = [
  'node-init.sh',
  'bmc-power.sh',
  'services.sh',
  'systemctl-shim.sh',
  'crm-attribute-shim.sh',
  'webapp.py',
  'drain.py',
  'redis-lag.sh',
]

export const nodeDir = (spec: {labDir: string}, name: string): string => join(spec.labDir, 'nodes', name)
export const nodeRoot = (spec: {labDir: string}, name: string): string => join(nodeDir(spec, name), 'root')
export const bmcDir = (spec: {labDir: string}, bmc: string): string => join(spec.labDir, 'bmcs', bmc)

interface Ids {
  uid: number
  gid: number
}

function lookup(file: string, name: string): number | undefined {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(':')
    if (f[0] === name && f[2] !== undefined) return Number(f[2])
  }
  return undefined
}

export function hacluster(): Ids {
  return {uid: lookup('/etc/passwd', 'hacluster') ?? 0, gid: lookup('/etc/group', 'haclient') ?? 0}
}

/** Copies the boot scripts into the lab: running nodes execute these copies, never the files being edited. */
export function installScripts(spec: LabSpec): void {
  mkdirSync(spec.labBin, {recursive: true})
  for (const s of LAB_SCRIPTS) {
    const dst = join(spec.labBin, s)
    copyFileSync(join(labAssetsDir(), s), dst)
    chmodSync(dst, 0o755)
  }
}

/** Clones the host's /var/log directory skeleton (names, owners, modes; no files). */
function cloneVarLog(dst: string, src = '/var/log'): void {
  for (const e of readdirSync(src, {withFileTypes: true})) {
    if (!e.isDirectory()) continue
    const s = join(src, e.name)
    const d = join(dst, e.name)
    const st = lstatSync(s)
    mkdirSync(d, {recursive: true})
    chmodSync(d, st.mode & 0o7777)
    chownSync(d, st.uid, st.gid)
    cloneVarLog(d, s)
  }
}

function mkdirOwned(path: string, mode: number, ids?: Ids): void {
  mkdirSync(path, {recursive: true})
  chmodSync(path, mode)
  if (ids) chownSync(path, ids.uid, ids.gid)
}

/** Generates the node's own SSH host keys (never the host's). */
async function hostKeys(root: string, name: string): Promise<void> {
  await Promise.all(
    (['ed25519', 'ecdsa'] as const).map((t) =>
      mustRun('ssh-keygen', [
        '-q',
        '-t',
        t,
        '-N',
        '',
        '-C',
        `root@${name}`,
        '-f',
        join(root, `etc/ssh/ssh_host_${t}_key`),
      ]),
    ),
  )
}

export function hostPublicKeys(spec: LabSpec, node: NodeDef): string[] {
  return (['ed25519', 'ecdsa'] as const).map((t) =>
    readFileSync(join(nodeRoot(spec, node.name), `etc/ssh/ssh_host_${t}_key.pub`), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' '),
  )
}

export function knownHostsText(spec: LabSpec): string {
  const lines: string[] = []
  for (const n of spec.nodes) {
    const names = [
      n.host,
      n.name,
      `${n.name}.hacheck.lab`,
      ...n.ifaces.map((f) => f.addr).filter((a) => a !== n.host),
    ]
    for (const k of hostPublicKeys(spec, n)) lines.push(`${names.join(',')} ${k}`)
  }
  return lines.join('\n') + '\n'
}

/** Lab-wide secrets and keys made once per lab: SSH client key, corosync authkey, TLS certificate. */
export async function makeLabKeys(spec: LabSpec): Promise<{corosyncKey: Buffer; pcmkKey: Buffer}> {
  const key = join(spec.labDir, 'id_lab')
  rmSync(key, {force: true})
  rmSync(`${key}.pub`, {force: true})
  const jobs: Promise<unknown>[] = [
    mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hacheck-lab', '-f', key]),
  ]
  if (spec.profile === 'web') {
    const dir = join(spec.labDir, 'tls')
    mkdirSync(dir, {recursive: true, mode: 0o700})
    jobs.push(
      mustRun('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '365',
        '-subj',
        `/CN=${TLS_HOSTNAME}`,
        '-addext',
        `subjectAltName=DNS:${TLS_HOSTNAME}`,
        '-keyout',
        join(dir, `${TLS_HOSTNAME}.key`),
        '-out',
        join(dir, `${TLS_HOSTNAME}.crt`),
      ]),
    )
  }
  await Promise.all(jobs)
  if (spec.profile === 'web') {
    const dir = join(spec.labDir, 'tls')
    spec.tlsPem =
      readFileSync(join(dir, `${TLS_HOSTNAME}.crt`), 'utf8') +
      readFileSync(join(dir, `${TLS_HOSTNAME}.key`), 'utf8')
  }
  return {corosyncKey: randomBytes(256), pcmkKey: randomBytes(256)}
}

/** Creates one node's private root, keys and configuration (before its first boot). */
export async function prepareNode(
  spec: LabSpec,
  node: NodeDef,
  keys: {corosyncKey: Buffer; pcmkKey: Buffer},
): Promise<void> {
  const dir = nodeDir(spec, node.name)
  const root = nodeRoot(spec, node.name)
  const ha = hacluster()
  mkdirSync(root, {recursive: true})
  for (const d of bindDirsOf(node)) mkdirSync(join(root, d), {recursive: true})
  for (const f of bindFilesOf(node)) mkdirSync(dirname(join(root, f)), {recursive: true})
  cloneVarLog(join(root, 'var/log'))
  mkdirOwned(join(root, 'var/log/hacheck'), 0o755)
  chmodSync(join(root, 'etc/ssh'), 0o755)
  await hostKeys(root, node.name)
  copyFileSync(join(spec.labDir, 'id_lab.pub'), join(root, 'etc/ssh/authorized_keys'))
  chmodSync(join(root, 'etc/ssh/authorized_keys'), 0o600)
  copyFileSync(join(spec.labDir, 'id_lab'), join(root, 'etc/ssh/id_lab'))
  chmodSync(join(root, 'etc/ssh/id_lab'), 0o600)
  if (node.roles.includes('cluster')) {
    writeFileSync(join(root, 'etc/corosync/authkey'), keys.corosyncKey, {mode: 0o400})
    writeFileSync(join(root, 'etc/pacemaker/authkey'), keys.pcmkKey, {mode: 0o640})
    chownSync(join(root, 'etc/pacemaker/authkey'), 0, ha.gid)
    mkdirOwned(join(root, 'var/lib/pacemaker'), 0o755)
    for (const d of ['cib', 'pengine', 'blackbox', 'cores'])
      mkdirOwned(join(root, 'var/lib/pacemaker', d), 0o750, ha)
    mkdirOwned(join(root, 'var/log/pacemaker'), 0o770, ha)
    mkdirOwned(join(root, 'var/log/corosync'), 0o755)
    const cib = join(root, 'var/lib/pacemaker/cib/cib.xml')
    writeFileSync(cib, initialCib(spec), {mode: 0o600})
    chownSync(cib, ha.uid, ha.gid)
  }
  if (node.roles.includes('lb')) mkdirOwned(join(root, 'etc/haproxy/certs'), 0o755)
  if (node.roles.includes('app')) mkdirOwned(join(root, 'srv/app/tls'), 0o755)
  writeFileSync(join(dir, 'node.env'), nodeEnv(spec, node), {mode: 0o644})
  writeNodeFiles(spec, node)
  // The very first boot skips the simulated POST (it only matters after a fence).
  writeFileSync(join(dir, 'fastboot'), '')
}

/** Writes a node's rendered configuration; returns the services whose configuration changed. */
export function writeNodeFiles(spec: LabSpec, node: NodeDef): Set<string> {
  const root = nodeRoot(spec, node.name)
  const changed = new Set<string>()
  const files = nodeFiles(spec, node)
  const rendered = new Set(files.map((f) => f.path))
  for (const f of files) {
    const p = join(root, f.path)
    mkdirSync(dirname(p), {recursive: true})
    if (writeFileIfChanged(p, f.content, f.mode)) {
      const svc = serviceForFile(f.path)
      if (svc) changed.add(svc)
    }
  }
  for (const p of managedPaths(node)) {
    if (!rendered.has(p) && existsSync(join(root, p))) {
      rmSync(join(root, p))
      const svc = serviceForFile(p)
      if (svc) changed.add(svc)
    }
  }
  return changed
}

export function writeKnownHostsEverywhere(spec: LabSpec, text: string): void {
  writeFileSync(join(spec.labDir, 'known_hosts'), text, {mode: 0o644})
  for (const n of spec.nodes)
    writeFileSync(join(nodeRoot(spec, n.name), 'etc/ssh/ssh_known_hosts'), text, {mode: 0o644})
}

/** The BMC of a node: ipmi_sim configuration whose startcmd is the node's power script. */
export function prepareBmc(spec: LabSpec, node: NodeDef): void {
  if (!node.bmc) return
  const dir = bmcDir(spec, node.bmc.name)
  mkdirSync(join(dir, 'state'), {recursive: true})
  const power = `${join(spec.labBin, 'bmc-power.sh')} ${nodeDir(spec, node.name)}`
  writeFileSync(
    join(dir, 'lan.conf'),
    `# hacheck lab BMC of ${node.name} (ipmi_sim)
name "${node.bmc.name}"
set_working_mc 0x20
  startlan 1
    addr ${node.bmc.addr} 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid ${randomBytes(16).toString('hex')}
  endlan
  # Without a VM serial channel ipmi_sim 2.0.33 refuses chassis power control.
  serial 15 127.0.0.1 9002 codec VM
  startcmd "${power}"
  startnow true
  poweroff_wait 0
  kill_wait 1
  user 2 true "${BMC_USER}" "${spec.bmcPassword}" admin 10 none md2 md5 straight
`,
    {mode: 0o600},
  )
  writeFileSync(
    join(dir, 'bmc.emu'),
    `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
`,
  )
}

/** Starts a node's BMC (which powers the node on), or powers on a BMC-less node. Returns the PID started. */
export function startPower(spec: LabSpec, node: NodeDef): number {
  const nd = nodeDir(spec, node.name)
  if (node.bmc) {
    const dir = bmcDir(spec, node.bmc.name)
    return spawnDetached(
      'ip',
      [
        'netns',
        'exec',
        node.bmc.netns,
        'ipmi_sim',
        '-n',
        '-c',
        join(dir, 'lan.conf'),
        '-f',
        join(dir, 'bmc.emu'),
        '-s',
        join(dir, 'state'),
      ],
      join(dir, 'ipmi_sim.log'),
    )
  }
  return spawnDetached(
    'ip',
    ['netns', 'exec', node.netns, join(spec.labBin, 'bmc-power.sh'), nd],
    join(nd, 'power.out'),
  )
}

/** Host PID of the node's init, when the node is powered on. */
export function nodeInitPid(spec: {labDir: string}, node: NodeDef): number | undefined {
  const pid = readPidFile(join(nodeDir(spec, node.name), 'init.pid'))
  return pid !== undefined && pidInNamespace(pid, node.netns) ? pid : undefined
}

export function nodeBooted(spec: {labDir: string}, node: NodeDef): boolean {
  const pid = nodeInitPid(spec, node)
  return pid !== undefined && existsSync(`/proc/${pid}/root/run/hk-booted`)
}

/** Runs argv inside a running node (all its namespaces), like a root shell on the node. */
export async function inNode(
  spec: {labDir: string},
  node: NodeDef,
  argv: readonly string[],
  opts: {input?: string; timeoutMs?: number} = {},
): Promise<LocalResult> {
  const pid = nodeInitPid(spec, node)
  if (pid === undefined) {
    return {
      stdout: '',
      stderr: `node ${node.name} is powered off`,
      exitCode: -1,
      timedOut: false,
      durationMs: 0,
    }
  }
  return runLocal('nsenter', ['-t', String(pid), '-m', '-u', '-n', '-p', '--wd=/', '--', ...argv], opts)
}

/** Power control through the node's BMC with ipmitool (lanplus, cipher 3), from the host. */
export async function ipmi(spec: LabSpec, node: NodeDef, ...args: string[]): Promise<LocalResult> {
  if (!node.bmc) throw new Error(`${node.name} has no BMC`)
  return runLocal(
    'ipmitool',
    ['-I', 'lanplus', '-C', '3', '-H', node.bmc.addr, '-U', BMC_USER, '-E', 'chassis', 'power', ...args],
    {env: {IPMI_PASSWORD: spec.bmcPassword}, timeoutMs: 20_000},
  )
}
