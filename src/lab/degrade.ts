/**
 * `hacheck lab degrade STATE`: puts the running lab into a degraded state on
 * purpose, the states operators run hacheck in when something is already wrong:
 *
 *   power-off     a node powered off through its BMC; the survivors still count it
 *                 as a member for the next ~7 s (token + consensus), then fence it
 *                 (reboot: it boots again about 20 s later)
 *   isolate       a node cut off from the heartbeat, kept alive in its minority
 *                 (no-quorum-policy=freeze: it keeps the VIP it holds) because the
 *                 majority cannot reach its BMC, so fencing it fails
 *   link-down     one corosync link of a node down while the other carries
 *                 (needs two links: --variant hb-redundant)
 *   failed-fence  a healthy cluster with a failed fence action in its history
 *   maintenance   maintenance-mode=true
 *   cli-ban       a leftover `crm_resource --ban` constraint on the VIP
 *
 * Network faults live in the HK-DEGRADE iptables chain inside the lab nodes
 * (never on the host); every `hacheck lab up` flushes that chain and replaces the
 * CIB configuration, so `lab up --variant healthy` restores the lab.
 */
import {parseCfgtool} from '../facts/corosync-cfgtool.js'
import {parseQuorumtool} from '../facts/corosync-quorumtool.js'
import {parseStonithHistory} from '../facts/stonith-admin.js'
import {IncompleteError, InputError} from '../core/errors.js'
import {sleep} from './exec.js'
import {inNode, ipmi, nodeInitPid} from './nodes.js'
import type {LabSpec} from './render.js'
import {clusterNodes, type NodeDef} from './topology.js'

export const DEGRADE_STATES = [
  'power-off',
  'isolate',
  'link-down',
  'failed-fence',
  'maintenance',
  'cli-ban',
] as const
export type DegradeState = (typeof DEGRADE_STATES)[number]

export const DEGRADE_HELP: Record<DegradeState, string> = {
  'power-off':
    'power the node off through its BMC (survivors still count it for ~7 s, then fence and reboot it)',
  isolate:
    'cut the node off the heartbeat; its BMC unreachable from the others, so it lives on in a minority',
  'link-down': 'take one corosync link of the node down while another carries (needs --variant hb-redundant)',
  'failed-fence': 'a failed fence action against the node in the history; the cluster otherwise healthy',
  maintenance: 'maintenance-mode=true',
  'cli-ban': 'a leftover cli-ban constraint (crm_resource --ban) of the VIP on the node holding it',
}

export function isDegradeState(s: string): s is DegradeState {
  return (DEGRADE_STATES as readonly string[]).includes(s)
}

const CHAIN = 'HK-DEGRADE'
/** Corosync's knet port (every lab link uses the default). */
const KNET_PORT = '5405'

export interface DegradeResult {
  state: DegradeState
  node: string
  /** What was done, in order, for the operator. */
  steps: string[]
  durationMs: number
}

type Say = (m: string) => void

async function must(spec: LabSpec, node: NodeDef, argv: string[], timeoutMs = 30_000): Promise<string> {
  const r = await inNode(spec, node, argv, {timeoutMs})
  if (r.exitCode !== 0)
    throw new IncompleteError(
      `lab degrade: on ${node.name}: ${argv.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`,
    )
  return r.stdout
}

/** Creates the HK-DEGRADE chain hooked into INPUT and OUTPUT (idempotent). */
async function ensureChain(spec: LabSpec, node: NodeDef): Promise<void> {
  await inNode(spec, node, ['iptables', '-w', '5', '-N', CHAIN])
  for (const hook of ['INPUT', 'OUTPUT']) {
    const present = await inNode(spec, node, ['iptables', '-w', '5', '-C', hook, '-j', CHAIN])
    if (present.exitCode !== 0) await must(spec, node, ['iptables', '-w', '5', '-I', hook, '-j', CHAIN])
  }
}

async function rule(spec: LabSpec, node: NodeDef, args: string[]): Promise<void> {
  await ensureChain(spec, node)
  await must(spec, node, ['iptables', '-w', '5', '-A', CHAIN, ...args])
}

/** Removes every degrade rule from every running node (part of every `lab up`). Idempotent. */
export async function clearDegrade(spec: LabSpec): Promise<void> {
  await Promise.all(
    spec.nodes
      .filter((n) => nodeInitPid(spec, n) !== undefined)
      .map(async (n) => {
        if ((await inNode(spec, n, ['iptables', '-w', '5', '-F', CHAIN])).exitCode !== 0) return
        for (const hook of ['INPUT', 'OUTPUT'])
          while ((await inNode(spec, n, ['iptables', '-w', '5', '-D', hook, '-j', CHAIN])).exitCode === 0);
        await inNode(spec, n, ['iptables', '-w', '5', '-X', CHAIN])
      }),
  )
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await probe()) return
    await sleep(250)
  }
  throw new IncompleteError(`lab degrade: ${what} did not happen within ${timeoutMs / 1000} s`)
}

async function members(spec: LabSpec, node: NodeDef): Promise<string[] | undefined> {
  const r = await inNode(spec, node, ['corosync-quorumtool', '-l'], {timeoutMs: 10_000})
  try {
    return parseQuorumtool(r.stdout)
      .members.filter((m) => !m.isQdevice)
      .map((m) => m.name)
  } catch {
    return undefined
  }
}

async function vipHolder(spec: LabSpec, cluster: NodeDef[], vip: string): Promise<NodeDef | undefined> {
  for (const n of cluster) {
    const r = await inNode(spec, n, ['ip', '-o', 'addr', 'show'], {timeoutMs: 10_000})
    if (r.stdout.includes(` ${vip}/`)) return n
  }
  return undefined
}

async function powerOff(spec: LabSpec, node: NodeDef, say: Say): Promise<void> {
  const r = await ipmi(spec, node, 'off')
  if (r.exitCode !== 0)
    throw new IncompleteError(`lab degrade: BMC of ${node.name} refused power off: ${r.stderr.trim()}`)
  await waitFor(`${node.name} powering off`, 10_000, async () => nodeInitPid(spec, node) === undefined)
  say(`${node.name} is off; the survivors notice in about 7 s and then fence it (it boots again ~20 s later)`)
}

async function isolate(spec: LabSpec, node: NodeDef, others: NodeDef[], say: Say): Promise<void> {
  await must(spec, node, [
    'crm_attribute',
    '--type',
    'crm_config',
    '--name',
    'no-quorum-policy',
    '--update',
    'freeze',
  ])
  say('no-quorum-policy=freeze: a partition without quorum keeps what it runs')
  if (node.bmc) for (const o of others) await rule(spec, o, ['-d', node.bmc.addr, '-j', 'REJECT'])
  say(`${others.map((o) => o.name).join(', ')} cannot reach ${node.name}'s BMC: fencing it fails`)
  for (const dir of [
    ['--dport', KNET_PORT],
    ['--sport', KNET_PORT],
  ])
    await rule(spec, node, ['-p', 'udp', ...dir, '-j', 'DROP'])
  say(`${node.name}: corosync traffic (UDP ${KNET_PORT}) dropped on every link`)
  await waitFor(
    `${node.name} alone in its partition`,
    30_000,
    async () => (await members(spec, node))?.length === 1,
  )
  await waitFor(`the others without ${node.name}`, 30_000, async () => {
    const m = await members(spec, others[0] as NodeDef)
    return m !== undefined && !m.includes(node.name)
  })
  say(`${node.name} is in a minority partition of its own; the others keep quorum`)
}

async function linkDown(spec: LabSpec, node: NodeDef, link: number, say: Say): Promise<void> {
  const status = parseCfgtool(await must(spec, node, ['corosync-cfgtool', '-s']))
  const links = status.links.filter((l) => l.kind === 'link')
  if (links.length < 2)
    throw new InputError(
      `lab degrade link-down: ${node.name} has ${links.length} corosync link(s); switch to two first: hacheck lab up --variant hb-redundant`,
    )
  const target = links.find((l) => l.id === link)
  const iface = node.ifaces.find((i) => i.addr === target?.addr)
  if (!target || !iface)
    throw new InputError(`lab degrade link-down: ${node.name} has no corosync link ${link}`)
  for (const dir of [
    ['-i', iface.dev],
    ['-o', iface.dev],
  ])
    await rule(spec, node, [...dir, '-p', 'udp', '-j', 'DROP'])
  say(`${node.name}: UDP dropped on ${iface.dev} (link ${link}, ${iface.addr})`)
  await waitFor(`link ${link} of ${node.name} reported down`, 30_000, async () => {
    const s = parseCfgtool((await inNode(spec, node, ['corosync-cfgtool', '-s'])).stdout)
    return s.links.find((l) => l.id === link)?.faulty === true
  })
  say(`corosync on ${node.name} reports link ${link} down; the other link carries the heartbeat`)
}

async function failedFence(spec: LabSpec, node: NodeDef, others: NodeDef[], say: Say): Promise<void> {
  if (!node.bmc) throw new InputError(`lab degrade failed-fence: ${node.name} has no BMC`)
  for (const o of others) await rule(spec, o, ['-d', node.bmc.addr, '-j', 'REJECT'])
  const from = others[0] as NodeDef
  say(
    `${node.name}'s BMC unreachable from the others; asking ${from.name} to fence ${node.name} (it must fail)`,
  )
  await inNode(spec, from, ['stonith_admin', '--reboot', node.name, '--timeout', '20'], {timeoutMs: 60_000})
  await waitFor('a failed fence action in the history', 60_000, async () => {
    const r = await inNode(spec, from, [
      'stonith_admin',
      '--history',
      node.name,
      '--verbose',
      '--output-as=xml',
    ])
    try {
      return parseStonithHistory(r.stdout).some((e) => e.status === 'failed')
    } catch {
      return false
    }
  })
  await clearDegrade(spec)
  say('the BMC is reachable again: the cluster is healthy, with the failed action in its fence history')
}

export async function degrade(
  spec: LabSpec,
  state: DegradeState,
  opts: {node?: string; link?: number; vip: string},
  say: Say,
): Promise<DegradeResult> {
  const t0 = Date.now()
  const cluster = clusterNodes(spec.nodes).filter((n) => nodeInitPid(spec, n) !== undefined)
  if (cluster.length === 0) throw new InputError('lab degrade: no cluster node of this lab is running')
  const named = opts.node ? spec.nodes.find((n) => n.name === opts.node) : undefined
  if (opts.node && !named?.roles.includes('cluster'))
    throw new InputError(
      `lab degrade: ${opts.node} is not a cluster node of this lab (${cluster.map((n) => n.name).join(', ')})`,
    )
  if (named && nodeInitPid(spec, named) === undefined)
    throw new InputError(`lab degrade: ${named.name} is powered off`)
  const holder = await vipHolder(spec, cluster, opts.vip)
  const byDefault: Record<DegradeState, NodeDef | undefined> = {
    'power-off': cluster[cluster.length - 1],
    isolate: holder ?? cluster[0],
    'link-down': cluster[0],
    'failed-fence': cluster[cluster.length - 1],
    maintenance: cluster[0],
    'cli-ban': holder ?? cluster[0],
  }
  const node = named ?? (byDefault[state] as NodeDef)
  const others = cluster.filter((n) => n !== node)
  const steps: string[] = []
  const note: Say = (m) => {
    steps.push(m)
    say(m)
  }
  switch (state) {
    case 'power-off':
      await powerOff(spec, node, note)
      break
    case 'isolate':
      await isolate(spec, node, others, note)
      break
    case 'link-down':
      await linkDown(spec, node, opts.link ?? 0, note)
      break
    case 'failed-fence':
      await failedFence(spec, node, others, note)
      break
    case 'maintenance':
      await must(spec, node, [
        'crm_attribute',
        '--type',
        'crm_config',
        '--name',
        'maintenance-mode',
        '--update',
        'true',
      ])
      note('maintenance-mode=true: Pacemaker manages nothing until it is set back')
      break
    case 'cli-ban':
      await must(spec, node, ['crm_resource', '--ban', '--resource', 'p-vip', '--node', node.name])
      note(`p-vip banned from ${node.name} (a cli-ban constraint left behind, as after "pcs resource ban")`)
      break
  }
  return {state, node: node.name, steps, durationMs: Date.now() - t0}
}
