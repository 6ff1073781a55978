/** Parsed facts → the view's readings (pure; the one mapping audit and chaos share). */
import type {QuorumStatus} from '../facts/corosync-quorumtool.js'
import type {IpInterface} from '../facts/ip-addr.js'
import type {MembershipReading} from './types.js'

export function membershipOf(q: QuorumStatus): MembershipReading {
  const m: MembershipReading = {
    members: q.members.filter((x) => !x.isQdevice).map((x) => x.name),
    qdevice: q.members.some((x) => x.isQdevice) || q.flags.includes('Qdevice'),
  }
  if (q.quorate !== undefined) m.quorate = q.quorate
  if (q.ringId !== undefined) m.ringId = q.ringId
  if (q.expectedVotes !== undefined) m.expectedVotes = q.expectedVotes
  if (q.totalVotes !== undefined) m.totalVotes = q.totalVotes
  if (q.quorum !== undefined) m.quorum = q.quorum
  return m
}

export function globalAddressesOf(ifaces: readonly IpInterface[]): string[] {
  return ifaces.flatMap((i) =>
    i.addresses.filter((a) => a.scope !== 'host' && a.scope !== 'link').map((a) => a.local),
  )
}
