/**
 * Shared pieces of the chaos integration tests (against the hacheck lab):
 * the CLI as an operator runs it, the lab's inventory, and checks that nothing
 * of hacheck's is left on any node.
 */
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {execa, type ResultPromise} from 'execa'

import {parseCrmMon} from '../../../src/facts/crm-mon.js'
import {pacemakerStateOf} from '../../../src/view/pacemaker.js'
import {holdsVip} from '../../../src/chaos/observe/observer.js'
import type {Inventory, NodeSpec} from '../../../src/core/types.js'
import {loadInventory} from '../../../src/inventory/load.js'
import type {LabStatus} from '../../../src/lab/lab.js'
import type {SshPool} from '../../../src/transport/index.js'
import {repoRoot} from '../../support/paths.js'

export const VIP = '198.18.2.100'
export const URL = `http://${VIP}/`

export function chaosEnv(stateDir: string, status: LabStatus): Record<string, string> {
  return {XDG_STATE_HOME: stateDir, ...status.env, HACHECK_INVENTORY: ''}
}

/**
 * `hacheck ARGS` as an operator runs it, from the sources (launch.ts; bin/dev.js
 * would load dist/ through a possibly stale oclif.manifest.json); never rejects.
 */
export function hacheck(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 280_000,
): ResultPromise<{reject: false; stdin: 'ignore'}> {
  const [topic = '', command = '', ...rest] = args
  return execa(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'test', 'integration', 'chaos', 'launch.ts'),
      `${topic}/${command}`,
      ...rest,
    ],
    {
      reject: false,
      env,
      stdin: 'ignore',
      timeout: timeoutMs,
      cwd: repoRoot,
    },
  ) as unknown as ResultPromise<{reject: false; stdin: 'ignore'}>
}

export async function labInventory(status: LabStatus): Promise<Inventory> {
  if (!status.inventory) throw new Error('the lab has no inventory')
  return loadInventory(status.inventory)
}

export async function vipHolders(runner: SshPool, nodes: NodeSpec[]): Promise<string[]> {
  const out: string[] = []
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const r = await runner.run(n, {argv: ['ip', '-j', 'addr', 'show'], timeoutMs: 10_000})
        if (holdsVip(r.stdout, VIP)) out.push(n.name)
      } catch {
        // unreachable
      }
    }),
  )
  return out.sort()
}

export async function healthy(runner: SshPool, node: NodeSpec): Promise<boolean> {
  try {
    const r = await runner.run(node, {argv: ['crm_mon', '-1', '--output-as=xml'], timeoutMs: 15_000})
    if (r.exitCode !== 0) return false
    const s = pacemakerStateOf(parseCrmMon(r.stdout))
    return (
      s.quorate === true &&
      s.nodes.every((n) => n.online && !n.unclean && !n.standby) &&
      s.resources.every((r2) => !r2.failed) &&
      s.resources.some((r2) => r2.id === 'p-vip' && r2.active)
    )
  } catch {
    return false
  }
}

/** What of hacheck's is left on a node: its chain/rules, netem qdiscs, state files, dead-man processes. '' when nothing. */
export async function leftovers(runner: SshPool, node: NodeSpec): Promise<string> {
  const r = await runner.run(node, {
    script: [
      'iptables -w 5 -S 2>/dev/null | grep -E "HACHECK|hacheck-" || true',
      'ip6tables -w 5 -S 2>/dev/null | grep -E "HACHECK|hacheck-" || true',
      'for d in $(ls /sys/class/net); do tc qdisc show dev $d 2>/dev/null | grep "4843:" | sed "s/^/$d: /"; done',
      'ls /run/hacheck 2>/dev/null | grep -v "\\.deadman\\.log$" || true',
      'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "^bash -c .* hacheck-deadman-" && echo "deadman ${p#/proc/}"; done; true',
      'ip -o link show | grep -v "[<,]UP[,>]" | grep -v "^1: lo" || true',
      // the observer's membership stream (corosync-quorumtool -m) ends with the run
      'pgrep -af "corosync-quorumtool -m" || true',
    ].join('\n'),
    timeoutMs: 20_000,
  })
  return r.stdout.trim()
}

export function ledgerFiles(stateDir: string): string[] {
  const d = join(stateDir, 'hacheck', 'ledger')
  return existsSync(d) ? readdirSync(d) : []
}
