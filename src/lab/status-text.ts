/** What `hacheck lab status` prints (without --json). Pure. */
import type {LabStatus} from './lab.js'

/** The first line: up or not, and why not in words when the state file says otherwise. */
function headline(s: LabStatus): string {
  const variants = s.variants.length ? s.variants.join(', ') : 'none (healthy)'
  const what = `profile ${s.profile ?? '?'}, variants ${variants}`
  if (s.up) return `Lab up: ${what}`
  if (s.phase === 'up') {
    // The state file says up, but its namespaces or BMC processes are gone (host rebooted, killed by hand).
    return `Lab NOT up: ${what}; its state file says up but its namespaces or processes are gone (stale state: sudo hacheck lab up rebuilds it, sudo hacheck lab down cleans up)`
  }
  return `Lab NOT up (phase ${s.phase ?? '?'}): ${what}`
}

export function statusLines(s: LabStatus): string[] {
  if (!s.profile) return [`No lab (${s.labDir}). Start one with: sudo hacheck lab up`]
  const lines = [headline(s)]
  if (s.note) lines.push(`Note: ${s.note}`)
  lines.push(`Lab directory: ${s.labDir}`, `Inventory: ${s.inventory ?? ''}`)
  for (const n of s.nodes) {
    lines.push(
      `  ${n.name.padEnd(8)} ${n.host.padEnd(14)} ${n.state.padEnd(8)} ${n.roles.join(',')}${n.bmc ? `  bmc ${n.bmc}` : ''}`,
    )
  }
  if (s.cluster) {
    const c = s.cluster
    lines.push(
      `Cluster: ${c.quorate ? 'quorate' : 'NOT quorate'}, DC ${c.dc ?? 'none'}, online ${c.online.join(' ') || 'none'}${c.offline.length ? `, offline ${c.offline.join(' ')}` : ''}, stonith-enabled=${String(c.stonithEnabled ?? '?')}`,
    )
    for (const r of c.resources)
      lines.push(`  ${r.id.padEnd(12)} ${r.role}${r.node ? ` on ${r.node}` : ''}${r.failed ? ' FAILED' : ''}`)
  }
  const env = Object.keys(s.env)
  if (env.length) lines.push(`BMC password: hacheck lab status --json | jq -r .env.${env[0]}`)
  return lines
}
