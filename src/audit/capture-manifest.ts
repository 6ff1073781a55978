/**
 * A capture directory is untrusted input (docs/untrusted-input.md): it may
 * come from a ticket or another team. capture.json is checked here before
 * anything is read by a node name, and node names must be plain names (the
 * inventory's own rule: letters, digits, '.', '-', '_', starting with a letter
 * or digit), so a name can never be `../../etc` or `/root`. Pure: the caller
 * reads the file.
 */
import {InputError} from '../core/errors.js'
import type {Inventory} from '../core/types.js'
import type {FactError} from '../facts/gatherer.js'

/** capture.json (written by saveCapture in sources.ts). */
export interface CaptureManifest {
  schemaVersion: 1
  capturedAt: string
  hacheck: string
  inventory: Omit<Inventory, 'file'>
  nodes: Record<string, {reachable: boolean; error?: FactError}>
}

/** The inventory's node-name rule (schemas/inventory.schema.json#/definitions/name). */
export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

type Rec = Record<string, unknown>
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)

function found(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v} (${String(v)})`
}

/** Checks the parsed capture.json; throws one InputError listing every problem (at most 12). */
export function checkManifest(data: unknown, file: string): CaptureManifest {
  const problems: string[] = []
  const expect = (ok: boolean, path: string, what: string, v: unknown): boolean => {
    if (!ok) problems.push(`${path}: expected ${what}, found ${found(v)}`)
    return ok
  }
  if (!expect(isRec(data), '(top level)', 'a mapping (a capture written by `hacheck facts --save`)', data))
    throw fail(file, problems)
  const d = data as Rec
  expect(d.schemaVersion === 1, 'schemaVersion', '1', d.schemaVersion)
  if (d.capturedAt !== undefined)
    expect(typeof d.capturedAt === 'string', 'capturedAt', 'a date-time', d.capturedAt)
  const inv = d.inventory
  const names = new Set<string>()
  if (expect(isRec(inv), 'inventory', 'a mapping with cluster, networks and nodes', inv)) {
    const i = inv as Rec
    const c = i.cluster
    if (expect(isRec(c), 'inventory.cluster', 'a mapping with name and stack', c)) {
      const cl = c as Rec
      expect(typeof cl.name === 'string' && cl.name !== '', 'inventory.cluster.name', 'a name', cl.name)
      expect(
        cl.stack === 'pacemaker' || cl.stack === 'generic',
        'inventory.cluster.stack',
        'pacemaker or generic',
        cl.stack,
      )
      expect(isRec(cl.objectives), 'inventory.cluster.objectives', 'a mapping (rtoMs, rpoMs)', cl.objectives)
      if (cl.vip !== undefined)
        expect(typeof cl.vip === 'string', 'inventory.cluster.vip', 'an address', cl.vip)
    }
    if (
      i.networks !== undefined &&
      expect(isRec(i.networks), 'inventory.networks', 'a mapping of CIDRs', i.networks)
    )
      for (const [k, v] of Object.entries(i.networks as Rec))
        expect(typeof v === 'string', `inventory.networks.${k}`, 'a CIDR', v)
    if (expect(Array.isArray(i.nodes) && i.nodes.length > 0, 'inventory.nodes', 'a list of nodes', i.nodes))
      (i.nodes as unknown[]).forEach((n, k) => checkNode(n, `inventory.nodes[${k}]`, names, expect))
  }
  if (expect(isRec(d.nodes), 'nodes', 'a mapping of node name to {reachable}', d.nodes))
    for (const [name, st] of Object.entries(d.nodes as Rec)) {
      const path = `nodes[${JSON.stringify(name.slice(0, 70))}]`
      if (!names.has(name)) problems.push(`${path}: not a node of inventory.nodes`)
      if (!expect(isRec(st), path, 'a mapping with reachable', st)) continue
      const s = st as Rec
      expect(typeof s.reachable === 'boolean', `${path}.reachable`, 'true or false', s.reachable)
      if (
        s.error !== undefined &&
        expect(isRec(s.error), `${path}.error`, 'a mapping with code and message', s.error)
      ) {
        const e = s.error as Rec
        expect(typeof e.code === 'string', `${path}.error.code`, 'a string', e.code)
        expect(typeof e.message === 'string', `${path}.error.message`, 'a string', e.message)
      }
    }
  if (problems.length) throw fail(file, problems)
  return d as unknown as CaptureManifest
}

function checkNode(
  n: unknown,
  path: string,
  names: Set<string>,
  expect: (ok: boolean, path: string, what: string, v: unknown) => boolean,
): void {
  if (!expect(isRec(n), path, 'a mapping with name, host, roles and ssh', n)) return
  const node = n as Rec
  const name = node.name
  if (
    expect(
      typeof name === 'string' && NODE_NAME.test(name),
      `${path}.name`,
      "a node name (letters, digits, '.', '-', '_'; no '/' and no leading '.')",
      name,
    )
  ) {
    expect(!names.has(name as string), `${path}.name`, 'a name not used by another node', name)
    names.add(name as string)
  }
  expect(
    typeof node.host === 'string' && node.host !== '',
    `${path}.host`,
    'an address or host name',
    node.host,
  )
  expect(
    Array.isArray(node.roles) && node.roles.every((r) => typeof r === 'string'),
    `${path}.roles`,
    'a list of role names',
    node.roles,
  )
  expect(isRec(node.ssh) && typeof node.ssh.user === 'string', `${path}.ssh`, 'a mapping with user', node.ssh)
  if (node.port !== undefined)
    expect(
      Number.isInteger(node.port) && (node.port as number) > 0 && (node.port as number) < 65536,
      `${path}.port`,
      'a port (1-65535)',
      node.port,
    )
  if (node.bmc !== undefined) expect(isRec(node.bmc), `${path}.bmc`, 'a mapping', node.bmc)
  if (node.labels !== undefined)
    expect(
      isRec(node.labels) && Object.values(node.labels).every((v) => typeof v === 'string'),
      `${path}.labels`,
      'a mapping of strings',
      node.labels,
    )
}

function fail(file: string, problems: string[]): InputError {
  const shown = problems.slice(0, 12)
  return new InputError(
    `${file}: not a valid hacheck capture:\n${shown.map((p) => `  ${p}`).join('\n')}` +
      (problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more problem(s)` : ''),
    {
      code: 'invalid-capture',
      actions: ['A capture is written by `hacheck facts -i INVENTORY --save DIR` (docs/audit.md).'],
    },
  )
}

/** A gatherer's exit codes as saved (exit-codes.json): gatherer id → exit code or null. */
export function checkExitCodes(data: unknown, file: string): Record<string, number | null> {
  if (!isRec(data) || !Object.values(data).every((v) => v === null || Number.isInteger(v)))
    throw new InputError(
      `${file}: expected a mapping of gatherer id to exit code (a number or null), found ${found(data)}`,
      {
        code: 'invalid-capture',
      },
    )
  return data as Record<string, number | null>
}
