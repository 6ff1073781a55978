/**
 * Galera as a system of the cluster view: a node's members are the client addresses its component lists
 * (wsrep_incoming_addresses), resolved to inventory names; it is quorate when its component is Primary.
 * Pure.
 */
import type {GaleraServer} from '../facts/galera.js'
import type {SystemReading} from './systems.js'

/** "198.18.2.11:3306" → "198.18.2.11"; "[::1]:3306" → "::1". */
function hostOf(addr: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(addr)
  if (v6) return v6[1] ?? addr
  return addr.replace(/:\d+$/, '')
}

/** The wsrep server of a node (the first one with wsrep on), as a system reading. */
export function galeraReading(
  server: GaleraServer,
  self: string,
  resolve: (nameOrAddress: string) => string,
): SystemReading {
  const members = server.incomingAddresses.map((a) => resolve(hostOf(a)))
  // A node that is not in any component lists nobody: it still sees itself.
  if (!members.includes(self)) members.push(self)
  const r: SystemReading = {members}
  if (server.clusterStatus !== undefined) r.quorate = server.clusterStatus === 'Primary'
  const state = [server.clusterStatus, server.localState].filter((x) => x !== undefined).join(', ')
  if (state) r.state = state
  return r
}

/** The server of a node that runs Galera (wsrep on); undefined when none does. */
export function wsrepServer(servers: readonly GaleraServer[]): GaleraServer | undefined {
  return servers.find((s) => s.wsrepOn && s.error === undefined) ?? servers.find((s) => s.wsrepOn)
}
