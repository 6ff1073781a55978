/**
 * Profiles with a Pacemaker cluster (pacemaker3, pacemaker2-qdevice, pacemaker2, db): their variants
 * (defects of the CIB, Corosync, logging, and the db profile's replication and alerting), kept apart from
 * topology.ts like the other profiles' variants. Pure data.
 */

export type PacemakerVariant =
  | 'stonith-disabled'
  | 'fence-gap'
  | 'hb-public'
  | 'hb-redundant'
  | 'no-log-forward'
  | 'capacity-short'
  | 'service-clone'
  | 'async'
  | 'lag-rule-above-rpo'
  | 'no-lag-rule'

type PacemakerProfile = 'pacemaker3' | 'pacemaker2-qdevice' | 'pacemaker2' | 'db'

interface PacemakerVariantDef {
  name: PacemakerVariant
  summary: string
  /** What must be redone to apply it to a running lab (monitor: rule files only, nothing restarts). */
  applies: 'cib' | 'corosync' | 'rsyslog' | 'monitor'
  profiles: PacemakerProfile[]
  conflicts?: PacemakerVariant[]
}

const PCMK: PacemakerProfile[] = ['pacemaker3', 'pacemaker2-qdevice', 'pacemaker2']
/** Variants of the cluster itself that also make sense on the db profile's cluster. */
const PCMK_DB: PacemakerProfile[] = [...PCMK, 'db']

export const PACEMAKER_VARIANTS: Record<PacemakerVariant, PacemakerVariantDef> = {
  'stonith-disabled': {
    name: 'stonith-disabled',
    summary: 'stonith-enabled=false in the CIB (fence devices still defined)',
    applies: 'cib',
    profiles: PCMK_DB,
  },
  'fence-gap': {
    name: 'fence-gap',
    summary: 'the last cluster node has no fence device covering it',
    applies: 'cib',
    profiles: PCMK_DB,
  },
  'hb-public': {
    name: 'hb-public',
    summary: 'the Corosync (knet link 0) heartbeat runs on the public interface eth0, next to the VIP',
    applies: 'corosync',
    profiles: PCMK_DB,
    conflicts: ['hb-redundant'],
  },
  'hb-redundant': {
    name: 'hb-redundant',
    summary: 'two knet links: link 0 on the heartbeat net (eth1), link 1 on the management net (eth2)',
    applies: 'corosync',
    profiles: PCMK_DB,
    conflicts: ['hb-public'],
  },
  'no-log-forward': {
    name: 'no-log-forward',
    summary: 'cluster nodes log only locally: no rsyslog forwarding to the log server',
    applies: 'rsyslog',
    profiles: PCMK,
  },
  'capacity-short': {
    name: 'capacity-short',
    summary: 'node utilization capacity (and declared peak load) such that N-1 capacity cannot pass',
    applies: 'cib',
    profiles: PCMK,
  },
  'service-clone': {
    name: 'service-clone',
    summary:
      'the web service runs as a clone on every cluster node (all addresses) and only the VIP moves: a planned move is a short stall for clients, not an error',
    applies: 'cib',
    profiles: PCMK,
  },
  async: {
    name: 'async',
    summary:
      'PostgreSQL replicates asynchronously (pgsql RA rep_mode=async): the primary acknowledges commits before the standby has them, while the inventory still declares rpo 0s',
    applies: 'cib',
    profiles: ['db'],
  },
  'lag-rule-above-rpo': {
    name: 'lag-rule-above-rpo',
    summary:
      'the Prometheus replication-lag alert fires too late for the declared RPO (pg_replication_lag_seconds > 60 for 1m)',
    applies: 'monitor',
    profiles: ['db'],
    conflicts: ['no-lag-rule'],
  },
  'no-lag-rule': {
    name: 'no-lag-rule',
    summary:
      'the Prometheus rule file on the monitoring node has no replication-lag alert (only PostgresqlDown)',
    applies: 'monitor',
    profiles: ['db'],
    conflicts: ['lag-rule-above-rpo'],
  },
}
