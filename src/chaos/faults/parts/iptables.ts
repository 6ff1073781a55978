/**
 * Scripts for iptables faults (link-pull, partition, iptables-loss). Pure
 * string builders; the output is what runs on the node and what --dry-run
 * prints.
 *
 * Ownership rules:
 * - hacheck adds rules only to its own chain HACHECK, plus one jump from INPUT
 *   and one from OUTPUT at position 1. Every rule it adds outside HACHECK
 *   carries the comment `hacheck-run=<runId>`; the chain's first rule is a
 *   no-op carrying the same comment.
 * - Revert deletes exactly those jumps (matched with their comment), then
 *   flushes and deletes HACHECK only if its marker names this run. It never
 *   flushes a built-in chain and never touches a rule it did not add.
 * - The exemptions (controller's SSH path, BMCs) come first in the chain, so
 *   hacheck can always reach the node to revert, and fencing keeps working.
 */
import {isIP} from 'node:net'

import {shellJoin} from '../../../core/shell.js'
import {CHAIN} from '../../plan/types.js'

export interface Exemptions {
  /** The controller's address as the node sees it (SSH_CONNECTION), and the node's sshd port. */
  controller?: {address: string; sshPort: number}
  /** BMC addresses to keep reachable from the node (fence agents run on nodes). */
  bmcs: string[]
}

/** One rule of the chain, as iptables arguments after `-A HACHECK`. */
export interface Rule {
  args: string[]
  /** 4, 6 or both families (rules without addresses apply to both). */
  family: 4 | 6 | 'both'
}

export function marker(runId: string): string {
  return `hacheck-run=${runId}`
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4
}

export function exemptionRules(ex: Exemptions): Rule[] {
  const rules: Rule[] = []
  if (ex.controller) {
    const {address, sshPort} = ex.controller
    const fam = familyOf(address)
    const port = String(sshPort)
    rules.push({family: fam, args: ['-p', 'tcp', '-s', address, '--dport', port, '-j', 'RETURN']})
    rules.push({family: fam, args: ['-p', 'tcp', '-d', address, '--sport', port, '-j', 'RETURN']})
  }
  for (const b of [...new Set(ex.bmcs)]) {
    rules.push({family: familyOf(b), args: ['-s', b, '-j', 'RETURN']})
    rules.push({family: familyOf(b), args: ['-d', b, '-j', 'RETURN']})
  }
  return rules
}

/** The iptables-restore input of one family: the chain, its rules, the two jumps. */
function restoreInput(runId: string, rules: readonly Rule[], fam: 4 | 6): string[] {
  return [
    '*filter',
    `:${CHAIN} - [0:0]`,
    `-A ${CHAIN} -m comment --comment ${marker(runId)}`,
    ...rules
      .filter((r) => r.family === fam || r.family === 'both')
      .map((r) => `-A ${CHAIN} ${shellJoin(r.args)}`),
    `-I INPUT 1 -m comment --comment ${marker(runId)} -j ${CHAIN}`,
    `-I OUTPUT 1 -m comment --comment ${marker(runId)} -j ${CHAIN}`,
    'COMMIT',
  ]
}

const PRELUDE = [
  'ipt4() { iptables -w 5 "$@"; }',
  'ipt6() { ip6tables -w 5 "$@"; }',
  'have6() { command -v ip6tables >/dev/null 2>&1 && ip6tables -w 5 -S INPUT >/dev/null 2>&1; }',
]

/**
 * Creates the chain with the exemptions first, then `rules`, then the jumps,
 * in ONE iptables-restore transaction per family (`--noflush`: nothing else is
 * touched): the fault starts at one instant, and never half-applied.
 * Refuses (exit 3) when a HACHECK chain already exists: another fault is in
 * place or a run was not cleaned up (`hacheck chaos revert`). (The check
 * matters: declaring an existing chain in iptables-restore would flush it.)
 */
export function injectChainScript(runId: string, rules: readonly Rule[]): string {
  const need6 = rules.some((r) => r.family === 6 || r.family === 'both')
  return [
    'set -e',
    ...PRELUDE,
    `if ipt4 -S ${CHAIN} >/dev/null 2>&1; then echo "chain ${CHAIN} already exists: another hacheck fault is in place (see: hacheck chaos revert)" >&2; exit 3; fi`,
    "iptables-restore -w 5 --noflush <<'HACHECK_RULES'",
    ...restoreInput(runId, rules, 4),
    'HACHECK_RULES',
    ...(need6
      ? [
          `if have6 && ! ipt6 -S ${CHAIN} >/dev/null 2>&1; then`,
          "ip6tables-restore -w 5 --noflush <<'HACHECK_RULES'",
          ...restoreInput(runId, rules, 6),
          'HACHECK_RULES',
          'fi',
        ]
      : []),
  ].join('\n')
}

/** Idempotent: removes this run's jumps and chain (both families); does nothing when they are gone. */
export function revertChainScript(runId: string): string {
  const m = marker(runId)
  const fam = (tool: string): string[] => [
    `if ${tool} -S ${CHAIN} 2>/dev/null | grep -q -- '${m}'; then owned=1; else owned=0; fi`,
    `while ${tool} -D INPUT -m comment --comment ${m} -j ${CHAIN} 2>/dev/null; do :; done`,
    `while ${tool} -D OUTPUT -m comment --comment ${m} -j ${CHAIN} 2>/dev/null; do :; done`,
    `if [ "$owned" = 1 ]; then ${tool} -F ${CHAIN} && ${tool} -X ${CHAIN}; fi`,
  ]
  return [...PRELUDE, ...fam('ipt4'), 'if have6; then', ...fam('ipt6').map((l) => `  ${l}`), 'fi'].join('\n')
}

/** Exit 0 when the chain is in place: marker, jumps at position 1 of INPUT and OUTPUT. */
export function verifyChainScript(runId: string, mustContain: readonly string[] = ['-j DROP']): string {
  const m = marker(runId)
  return [
    'set -e',
    ...PRELUDE,
    `ipt4 -S ${CHAIN} | grep -q -- '${m}'`,
    ...mustContain.map((s) => `ipt4 -S ${CHAIN} | grep -q -- ${shellJoin([s])}`),
    `ipt4 -S INPUT | sed -n 2p | grep -q -- '-j ${CHAIN}'`,
    `ipt4 -S OUTPUT | sed -n 2p | grep -q -- '-j ${CHAIN}'`,
  ].join('\n')
}

/** Exit 0 when nothing of this run's rules remains (neither family). */
export function verifyChainGoneScript(runId: string): string {
  const m = marker(runId)
  return [
    ...PRELUDE,
    'left=""',
    `if ipt4 -S 2>/dev/null | grep -q -- '${m}'; then left="$left iptables"; fi`,
    `if have6 && ipt6 -S 2>/dev/null | grep -q -- '${m}'; then left="$left ip6tables"; fi`,
    `if [ -n "$left" ]; then echo "rules of ${m} still present in:$left" >&2; exit 1; fi`,
  ].join('\n')
}
