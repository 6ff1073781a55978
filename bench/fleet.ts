/**
 * The benchmark's fleet of N sshd-only nodes (the shared builder in
 * test/support/netns-fleet.ts): namespaces hkb-<i> on bridge hkb-br
 * (198.18.8.1/22 on the host, nodes from 198.18.8.10), every node's processes
 * pinned to FLEET_CPU so that the controller measured on CONTROLLER_CPU does
 * not compete with them; plus the inventory hacheck audits.
 *
 * Also a small CLI to keep a fleet up while profiling (hold the machine lock):
 *   npx tsx bench/fleet.ts up N DIR     (writes DIR/inventory.yaml, DIR/hosts, DIR/fleet.json)
 *   npx tsx bench/fleet.ts down
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {
  type FleetLayout,
  fleetNamespaces,
  fleetTeardown,
  sh,
  type SshdFleet,
  startSshdFleet,
} from '../test/support/netns-fleet.js'

export {sh}

/** The core the fleet's sshds run on; the measured controller gets CONTROLLER_CPU. */
export const FLEET_CPU = '1'
export const CONTROLLER_CPU = '0'

/** 198.18.8.10, 198.18.8.11, …: up to 1000 nodes inside 198.18.8.0/22. */
export const addr = (i: number): string => `198.18.${8 + Math.floor((10 + i) / 256)}.${(10 + i) % 256}`

export const BENCH_FLEET: FleetLayout = {
  prefix: 'hkb-',
  hostAddr: '198.18.8.1/22',
  address: addr,
  cpu: FLEET_CPU,
  maxStartups: 200,
}

export interface Fleet extends SshdFleet {
  inventoryFile: string
}

/** Kills the given fleet PIDs and deletes every hkb- namespace and the bridge. */
export function fleetDown(pids: number[]): void {
  fleetTeardown(BENCH_FLEET, pids)
}

/** Creates the fleet in `dir` (a fresh directory), waits until every sshd answers. */
export async function fleetUp(n: number, dir: string): Promise<Fleet> {
  if (n > 1000) throw new Error('at most 1000 nodes fit in 198.18.8.0/22')
  const f = await startSshdFleet(BENCH_FLEET, n, dir)
  const inventoryFile = join(dir, 'inventory.yaml')
  const yaml = [
    'cluster: {name: bench, stack: pacemaker}',
    'networks: {public: 198.18.8.0/22}',
    `ssh: {user: root, identityFile: ${f.identityFile}, knownHosts: ${f.knownHosts}}`,
    'nodes:',
    ...f.hosts.map((h, i) => `  - {name: b${i}, host: ${h}, roles: [cluster]}`),
  ].join('\n')
  writeFileSync(inventoryFile, yaml + '\n')
  writeFileSync(join(dir, 'hosts'), f.hosts.join('\n') + '\n')
  return {...f, inventoryFile}
}

async function cli(): Promise<void> {
  const [verb, n, dir] = process.argv.slice(2)
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces)')
  if (verb === 'down') {
    // Only the fleet's own processes: those living in an hkb- namespace (its unshare and sshd).
    const all: number[] = []
    for (const ns of fleetNamespaces(BENCH_FLEET))
      for (const p of sh('ip', ['netns', 'pids', ns]).split('\n')) if (p.trim()) all.push(Number(p))
    fleetDown(all)
    return
  }
  if (verb !== 'up' || !n || !dir) throw new Error('usage: fleet.ts up N DIR | down')
  mkdirSync(dir, {recursive: true})
  const f = await fleetUp(Number(n), dir)
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(f))
  console.log(
    `fleet of ${f.hosts.length} nodes up; inventory ${f.inventoryFile}, description ${dir}/fleet.json`,
  )
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  cli().catch((err: unknown) => {
    console.error(`fleet: ${(err as Error).message}`)
    process.exit(1)
  })
}
