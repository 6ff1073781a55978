/**
 * `hacheck lab up` on a running lab of the same profile: the variants applied in place (files rewritten,
 * the services whose files changed restarted per stack, the CIB replaced in one call, leftovers of earlier
 * tests cleared, nodes left behind repaired), then the same readiness wait as a build.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError} from '../core/errors.js'
import {repairDb, checkPromRules} from './db.js'
import {clearDegrade} from './degrade.js'
import {sleep} from './exec.js'
import {galeraNodesOf, restartGalera} from './galera.js'
import {clusterSummary, dcIdle, waitReady, type ClusterSummary} from './health.js'
import {inventoryYaml} from './inventory.js'
import {restartMysql} from './mysql.js'
import {inNode, ipmi, nodeBooted, nodeInitPid, startPower, writeNodeFiles} from './nodes.js'
import {applyPatroniDcs, repairPatroni} from './patroni.js'
import type {LabSpec} from './render.js'
import {mysqlNodesOf} from './render-mysql.js'
import {cibConfiguration} from './render-pacemaker.js'
import {writeState, type LabState} from './state.js'
import {clusterNodes, type NodeDef, type VariantName} from './topology.js'
import {releaseVip, restartSessionTier} from './web.js'

export type Progress = (msg: string) => void

export const READY_TIMEOUT_MS = 150_000

const secs = (ms: number): number => Math.round(ms / 100) / 10

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
export async function reconfigure(
  st: LabState,
  spec: LabSpec,
  variants: VariantName[],
  say: Progress,
): Promise<void> {
  const t0 = Date.now()
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
  // Say why it is not ready yet, each time the reason changes (as lab up does): a reconfiguration that never
  // settles must show what it waits for, not only the final error.
  let lastWhy: string | undefined
  const why = await waitReady(spec, READY_TIMEOUT_MS, (w) => {
    if (w !== lastWhy) say(`  … ${w}`)
    lastWhy = w
  })
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
