/**
 * The files an inventory names (ssh identityFile, knownHosts), looked at on
 * this machine by `inventory validate`. A path that is a directory or not a
 * regular file can never work: an error. A missing file is a warning that says
 * why it is not an error: the audit may run on another controller.
 */
import {statSync} from 'node:fs'

import type {Inventory} from '../core/types.js'
import type {LintFinding} from './lint.js'

function look(file: string, key: string, path: string): LintFinding | undefined {
  try {
    const st = statSync(file)
    if (st.isFile()) return undefined
    return {
      severity: 'error',
      path,
      message: `${key} ${file} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}; expected a file`,
    }
  } catch (err) {
    const code = (err as {code?: string}).code
    return {
      severity: 'warning',
      path,
      message:
        code === 'ENOENT'
          ? `${key} ${file} does not exist on this machine (fine only if the audit runs on another controller that has it)`
          : `${key} ${file} cannot be read here (${code ?? 'unknown error'}; fine only if the audit runs on another controller)`,
    }
  }
}

/** One finding per identity or known_hosts file that is missing, a directory or not a file. */
export function referencedFiles(inv: Inventory): LintFinding[] {
  const out: LintFinding[] = []
  inv.nodes.forEach((n, i) => {
    n.ssh.identityFiles?.forEach((f, j) => {
      const r = look(f, 'identityFile', `nodes[${i}].ssh.identityFile[${j}]`)
      if (r) out.push(r)
    })
    n.ssh.knownHosts?.forEach((f, j) => {
      const r = look(f, 'knownHosts', `nodes[${i}].ssh.knownHosts[${j}]`)
      if (r) out.push(r)
    })
  })
  // The same file for every node: said once.
  const seen = new Set<string>()
  return out.filter((f) => {
    const key = f.message
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
