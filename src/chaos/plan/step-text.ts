/**
 * Plan steps as text (pure): for --dry-run, and as commands an operator can paste
 * (the manual revert a second Ctrl-C and `chaos revert --print` show). Secrets
 * appear by the name of their variable, never by value.
 */
import {shellJoin, shellQuote} from '../../core/shell.js'
import type {NodeSpec} from '../../core/types.js'
import {describeHolds} from './holds.js'
import type {LocalStep, Step} from './types.js'

/** Human-readable description of a local step's environment (names only, never values). */
export function describeSecretEnv(step: LocalStep): string {
  return Object.entries(step.secretEnv ?? {})
    .map(([k, from]) => `${k}="$${from}"`)
    .join(' ')
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n')
}

/** A step as text for --dry-run: node scripts in full, local programs with secret env shown by name. */
export function renderStep(step: Step): string {
  if (step.kind === 'node') {
    const expect = step.holds
      ? `  (holds when ${describeHolds(step.holds)})`
      : step.expectStdout
        ? `  (holds when stdout matches /${step.expectStdout}/)`
        : ''
    return `[${step.node}] ${step.what}${expect}\n${indent(step.script, '    ')}`
  }
  const env = describeSecretEnv(step)
  const expect = step.expectStdout ? `  (holds when stdout matches /${step.expectStdout}/)` : ''
  return `[controller] ${step.what}${expect}\n    ${env ? env + ' ' : ''}${shellJoin(step.argv)}`
}

/** A command an operator can paste to run a step by hand (second Ctrl-C, `chaos revert --print`). */
export function manualCommand(step: Step, nodes: ReadonlyMap<string, NodeSpec>): string {
  if (step.kind === 'local') {
    const env = describeSecretEnv(step)
    return `${env ? env + ' ' : ''}${shellJoin(step.argv)}`
  }
  const n = nodes.get(step.node)
  const user = n?.ssh.user ?? 'root'
  const port = n?.port && n.port !== 22 ? ` -p ${n.port}` : ''
  const key = n?.ssh.identityFiles?.[0] ? ` -i ${shellQuote(n.ssh.identityFiles[0])}` : ''
  const sudo = user === 'root' ? '' : 'sudo '
  return `ssh${key}${port} ${shellQuote(`${user}@${n?.host ?? step.node}`)} ${sudo}bash -s <<'HACHECK_EOF'\n${step.script}\nHACHECK_EOF`
}
