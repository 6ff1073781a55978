/**
 * The remediation of an `error` result ("could not tell"): how to make the fact
 * readable, not how to fix the cluster — nothing is known to be wrong with the
 * cluster yet. Chosen from the fact errors in the evidence (pure).
 */
import type {Evidence} from '../core/results.js'

const STEPS: Record<string, string> = {
  unreachable:
    'Make the node reachable for hacheck: check that it is powered on (its BMC), that sshd answers (`ssh -v <user>@<host>` with the inventory settings: user, key, known_hosts, jump host), then re-run the audit. If the node is down on purpose, the result stays in error until it is back: an audit cannot vouch for a node it could not read.',
  timeout:
    'The node or one of its commands did not answer in time. Check the node (load, hung storage, a command stuck on a dead cluster daemon), then re-run with a longer limit (`--timeout 120s`, `--connect-timeout 30s`).',
  'not-installed':
    'The tool that reads this fact is not installed on the node (or not on the PATH of the SSH user). Install it, or, if the node has no such role, fix its roles in the inventory so the check does not apply to it.',
  'command-failed':
    'The command that reads this fact failed on the node: run it by hand as shown in the evidence (as the inventory user, with `sudo -n` when not root) and fix what it reports (permissions, a daemon that is not running, a missing file).',
  'parse-error':
    'The command ran but hacheck did not understand its output (an unexpected version or format). Save a capture (`hacheck facts -i INVENTORY --save DIR`) and report it with the hacheck version; the evidence names the line that was not understood.',
  'not-applicable':
    'The fact does not exist on this node (the evidence says why); if the check should not apply here, adjust the node roles or the checklist.',
}

const ORDER = ['unreachable', 'timeout', 'not-installed', 'command-failed', 'parse-error', 'not-applicable']

function errorCodes(evidence: readonly Evidence[]): string[] {
  const codes = new Set<string>()
  for (const e of evidence) {
    const o = e.observed as {error?: unknown} | null | undefined
    if (o && typeof o === 'object' && typeof o.error === 'string') codes.add(o.error)
  }
  return ORDER.filter((c) => codes.has(c))
}

export function errorRemediation(evidence: readonly Evidence[]): string {
  const codes = errorCodes(evidence)
  const steps = codes.length
    ? codes.map((c) => `- ${STEPS[c]}`).join('\n')
    : '- hacheck read the facts but could not reach a verdict from them (the message says what was contradictory or missing). Check the evidence by hand on the nodes named, and re-run the audit; if the facts look right, report it with a capture (`hacheck facts -i INVENTORY --save DIR`).'
  return `## Abstract\nhacheck could not tell: the facts this check needs could not be read, so it neither passes nor fails.\n## Remediation\n${steps}`
}
