/**
 * ARP for link-pull's iptables method. iptables sees IP only: a node whose link is "pulled" with iptables
 * still answers ARP, and a keepalived MASTER cut that way keeps answering for the VIP it still holds, so
 * clients can stay pointed at it (a real unplugged cable answers nothing). These scripts drop ARP on the
 * interface too, with arptables (Debian's iptables package ships it), in a chain named after the run (ARP
 * rules carry no comments): the controller's address and every BMC stay answered, as in the iptables chain.
 * On a node without a working arptables the ARP part is skipped and says so on stderr. Pure string builders.
 */
import {shellJoin} from '../../../core/shell.js'
import type {Exemptions} from './iptables.js'

/** arptables' chain of a run (names are limited to 28 characters; run ids are ~21). */
export function arpChain(runId: string): string {
  return `HK-${runId}`.slice(0, 28)
}

const HAVE = 'have_arp() { command -v arptables >/dev/null 2>&1 && arptables -L INPUT >/dev/null 2>&1; }'

/** Creates the run's chain (exemptions, then DROP in and out of `ifname`) and jumps to it first from INPUT and OUTPUT. */
export function arpInjectScript(runId: string, ifname: string, ex: Exemptions): string {
  const c = arpChain(runId)
  const keep = [...new Set([...(ex.controller ? [ex.controller.address] : []), ...ex.bmcs])].filter(
    (a) => !a.includes(':'),
  )
  const add = (args: string[]): string => `arptables -A ${c} ${shellJoin(args)}`
  return [
    HAVE,
    'if have_arp; then',
    `  arptables -N ${c}`,
    ...keep.flatMap((a) => [`  ${add(['-s', a, '-j', 'RETURN'])}`, `  ${add(['-d', a, '-j', 'RETURN'])}`]),
    `  ${add(['-i', ifname, '-j', 'DROP'])}`,
    `  ${add(['-o', ifname, '-j', 'DROP'])}`,
    `  arptables -I INPUT 1 -j ${c}`,
    `  arptables -I OUTPUT 1 -j ${c}`,
    'else',
    `  echo "arptables is not available: ARP on ${ifname} keeps flowing (IP traffic is dropped)" >&2`,
    'fi',
  ].join('\n')
}

/** Idempotent: removes the run's jumps and chain; nothing when they are gone or arptables is missing. */
export function arpRevertScript(runId: string): string {
  const c = arpChain(runId)
  return [
    HAVE,
    'if have_arp; then',
    `  while arptables -D INPUT -j ${c} 2>/dev/null; do :; done`,
    `  while arptables -D OUTPUT -j ${c} 2>/dev/null; do :; done`,
    `  if arptables -L ${c} >/dev/null 2>&1; then arptables -F ${c} && arptables -X ${c}; fi`,
    'fi',
  ].join('\n')
}

/** Exit 0 when nothing of the run's ARP chain is left (or arptables is missing). */
export function arpGoneScript(runId: string): string {
  const c = arpChain(runId)
  return [
    HAVE,
    `if have_arp && arptables -S 2>/dev/null | grep -q -- '${c}'; then echo "ARP chain ${c} still present" >&2; exit 1; fi`,
  ].join('\n')
}

/** Exit 0 when the run's ARP chain is in place (or arptables is missing, which inject reported). */
export function arpVerifyScript(runId: string): string {
  const c = arpChain(runId)
  return [
    HAVE,
    `if have_arp; then arptables -S INPUT | grep -q -- '-j ${c}' && arptables -S ${c} | grep -q -- '-j DROP'; fi`,
  ].join('\n')
}
