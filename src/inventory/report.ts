import type {Inventory} from '../core/types.js'
import {InventoryError, type Problem} from './load.js'

/**
 * What the inventory commands print: problems one per line (never wrapped, so
 * editors and CI can jump to FILE:LINE:COL), and a view of a loaded inventory
 * with secrets reduced to "is it set".
 */

/** A variable counts as set when it exists and is not empty. Its value is never returned. */
export function envIsSet(name: string): boolean {
  const v = process.env[name]
  return v !== undefined && v !== ''
}

/** Writes an InventoryError's lines to stderr as they are; returns false for any other error. */
export function printInventoryError(err: unknown): err is InventoryError {
  if (!(err instanceof InventoryError)) return false
  process.stderr.write(`${err.message}\n`)
  return true
}

export interface ProblemJson extends Problem {
  file: string
  /** The rendered line, as printed in plain mode. */
  text: string
}

export function summary(inv: Inventory): string {
  const n = inv.nodes.length
  return `${n} node${n === 1 ? '' : 's'}: ${inv.nodes.map((node) => node.name).join(', ')}`
}

/** Nodes whose BMC password variable is not set: a note, not an error (only power faults need it). */
export function unsetBmcPasswords(inv: Inventory): {node: string; env: string}[] {
  return inv.nodes.flatMap((n) =>
    n.bmc?.passwordEnv && !envIsSet(n.bmc.passwordEnv) ? [{node: n.name, env: n.bmc.passwordEnv}] : [],
  )
}

export type InventoryView = Omit<Inventory, 'nodes'> & {
  nodes: (Omit<Inventory['nodes'][number], 'bmc' | 'ssh'> & {
    ssh: Inventory['nodes'][number]['ssh'] & {passphraseEnvSet?: boolean}
    bmc?: NonNullable<Inventory['nodes'][number]['bmc']> & {passwordEnvSet: boolean}
  })[]
}

/** The resolved inventory plus, for each secret, whether its variable is set. No secret value is read into it. */
export function inventoryView(inv: Inventory): InventoryView {
  return {
    ...inv,
    nodes: inv.nodes.map((n) => {
      const ssh = {
        ...n.ssh,
        ...(n.ssh.passphraseEnv ? {passphraseEnvSet: envIsSet(n.ssh.passphraseEnv)} : {}),
      }
      const {bmc, ...rest} = n
      return bmc
        ? {...rest, ssh, bmc: {...bmc, passwordEnvSet: bmc.passwordEnv ? envIsSet(bmc.passwordEnv) : false}}
        : {...rest, ssh}
    }),
  }
}
