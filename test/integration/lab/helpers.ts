/**
 * Helpers for integration tests that use the hacheck lab (brought up once by
 * test/integration/global-setup.ts). Every test file that needs the lab:
 *
 *   const lab = labContext()
 *   describe.skipIf(!lab.available)(labTitle('my feature'), () => {
 *     beforeAll(async () => { status = await ensureLab() })   // healthy default, rebuilt if a file changed it
 *     it('...', async () => { const {runner, nodes} = await labRunner(); ... })
 *   })
 *
 * Variants: `await useVariants(['hb-public'])` reconfigures the running lab in
 * place; `await restoreHealthy()` undoes it (also clears fail counts and fence
 * history). Both return the new status.
 */
import {inject} from 'vitest'

import type {NodeSpec} from '../../../src/core/types.js'
import {loadInventory} from '../../../src/inventory/load.js'
import {notReady} from '../../../src/lab/health.js'
import {labStatus, labUp, specOf, type LabStatus} from '../../../src/lab/lab.js'
import {readState} from '../../../src/lab/state.js'
import type {ProfileName, VariantName} from '../../../src/lab/topology.js'
import {createSshPool, type SshPool} from '../../../src/transport/index.js'
import type {LabContext} from '../global-setup.js'

export function labContext(): LabContext {
  return (
    (inject('lab') as LabContext | undefined) ?? {
      available: false,
      reason: 'test/integration/global-setup.ts is not this project’s globalSetup',
    }
  )
}

/** A describe title that says why lab tests were skipped. */
export function labTitle(title: string): string {
  const lab = labContext()
  return lab.available ? title : `${title} (SKIPPED: ${lab.reason})`
}

const log = (m: string): void => console.warn(`[hacheck lab] ${m}`)

/**
 * The lab of `profile` with exactly `variants`, ready. Cheap when it already is
 * (a readiness probe), otherwise reconfigured in place or rebuilt.
 */
export async function ensureLab(
  profile: ProfileName = 'pacemaker3',
  variants: VariantName[] = [],
): Promise<LabStatus> {
  const s = await labStatus()
  const same =
    s.up &&
    s.profile === profile &&
    s.variants.join(',') === [...variants].sort().join(',') &&
    s.nodes.every((n) => n.state === 'running')
  if (same) {
    const st = readState()
    if (st && (await notReady(specOf(st))) === undefined) return s
  }
  const r = await labUp({profile, variants, onProgress: log})
  exportEnv(r.status)
  return r.status
}

export async function useVariants(variants: VariantName[]): Promise<LabStatus> {
  const s = await labStatus()
  const r = await labUp({profile: (s.profile ?? 'pacemaker3') as ProfileName, variants, onProgress: log})
  exportEnv(r.status)
  return r.status
}

export async function restoreHealthy(): Promise<LabStatus> {
  return useVariants([])
}

export function exportEnv(s: LabStatus): void {
  for (const [k, v] of Object.entries(s.env)) process.env[k] = v
  if (s.inventory) process.env.HACHECK_LAB_INVENTORY = s.inventory
}

/** hacheck's own SSH transport on the lab's inventory (only the lab's key and known_hosts). */
export async function labRunner(
  status?: LabStatus,
): Promise<{runner: SshPool; nodes: NodeSpec[]; node: (name: string) => NodeSpec}> {
  const s = status ?? (await labStatus())
  if (!s.inventory) throw new Error('no lab inventory')
  const inv = await loadInventory(s.inventory)
  const runner = createSshPool({
    sshConfigFile: false,
    agentSocket: false,
    knownHostsFiles: [],
    connectTimeoutMs: 10_000,
  })
  const node = (name: string): NodeSpec => {
    const n = inv.nodes.find((x) => x.name === name)
    if (!n) throw new Error(`no node ${name} in the lab inventory`)
    return n
  }
  return {runner, nodes: inv.nodes, node}
}

/** Runs argv on a node and returns stdout; throws with stderr when the exit code is not 0. */
export async function sh(
  runner: SshPool,
  node: NodeSpec,
  argv: string[],
  timeoutMs = 30_000,
): Promise<string> {
  const r = await runner.run(node, {argv, timeoutMs})
  if (r.exitCode !== 0)
    throw new Error(`${node.name}: ${argv.join(' ')} exited ${String(r.exitCode)}: ${r.stderr}`)
  return r.stdout
}

/** Polls `fn` until it returns a value other than undefined, or throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastErr: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (err) {
      lastErr = err
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`,
  )
}
