/**
 * Profile web: its variants (defects of the LB pair, the apps and the session store), kept apart from
 * topology.ts like the other profiles' variants. Pure data.
 */

export type WebVariant =
  | 'cert-on-backend'
  | 'vrrp-same-priority'
  | 'vrrp-no-auth'
  | 'vrrp-no-track'
  | 'vrrp-peer-mgmt'
  | 'vrrp-preempt'
  | 'vrrp-no-readvert'
  | 'vrrp-split'
  | 'vrrp-stale-vip'
  | 'lb-no-check'
  | 'lb-one-server'
  | 'lb-long-timeouts'
  | 'sessions-memcached'
  | 'memcached-single'
  | 'sticky-local'
  | 'sentinel-two'
  | 'sentinel-quorum-3'
  | 'redis-no-min-replicas'
  | 'redis-replica-lag'
  | 'lb-nginx'

interface WebVariantDef {
  name: WebVariant
  summary: string
  applies: 'web'
  profiles: 'web'[]
  conflicts?: WebVariant[]
}

export const WEB_VARIANTS: Record<WebVariant, WebVariantDef> = {
  'cert-on-backend': {
    name: 'cert-on-backend',
    summary:
      'haproxy passes TLS through (mode tcp); the certificate lives on the app nodes instead of the LBs',
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-same-priority': {
    name: 'vrrp-same-priority',
    summary:
      'both LBs have VRRP priority 100: which one is MASTER is decided by their addresses, not by intent',
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-no-auth': {
    name: 'vrrp-no-auth',
    summary: 'the VRRP instance has no authentication block: any host on the segment can claim the VIP',
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-no-track': {
    name: 'vrrp-no-track',
    summary:
      'keepalived does not follow haproxy (no track_script/track_process): a dead haproxy keeps the VIP',
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-peer-mgmt': {
    name: 'vrrp-peer-mgmt',
    summary:
      'VRRP adverts go over the management network (unicast_src_ip/unicast_peer on eth1) while the VIP is on the public eth0',
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-preempt': {
    name: 'vrrp-preempt',
    summary:
      'lb1 is `state MASTER` with preemption and no preempt_delay: a recovered lb1 takes the VIP back at once (a second outage)',
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-no-readvert': {
    name: 'vrrp-no-readvert',
    summary:
      "no vrrp_higher_prio_send_advert and no garp_master_refresh (keepalived's defaults): when a split heals, the winner may announce nothing and clients stay on the LB that gave the VIP up",
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-split': {
    name: 'vrrp-split',
    summary:
      "lb2 has another auth_pass: each LB drops the other's adverts, both are MASTER and both hold the VIP (split brain)",
    applies: 'web',
    profiles: ['web'],
  },
  'vrrp-stale-vip': {
    name: 'vrrp-stale-vip',
    summary:
      'a notify_backup script adds the VIP by hand: the BACKUP LB holds it next to the MASTER and answers ARP for it',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['vrrp-split'],
  },
  'lb-no-check': {
    name: 'lb-no-check',
    summary:
      'haproxy does not health-check the apps (no `check`, no `option httpchk`): a dead app keeps receiving requests',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['cert-on-backend', 'lb-nginx'],
  },
  'lb-one-server': {
    name: 'lb-one-server',
    summary:
      "haproxy's backend lists app1 only: behind the redundant LB pair, one app server is a single point of failure",
    applies: 'web',
    profiles: ['web'],
    conflicts: ['cert-on-backend', 'lb-nginx'],
  },
  'lb-long-timeouts': {
    name: 'lb-long-timeouts',
    summary:
      'haproxy waits 30 s to connect to an app and 10 min for its answer: every request sent to a dead or hung app stalls',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['lb-nginx'],
  },
  'sessions-memcached': {
    name: 'sessions-memcached',
    summary: 'not a defect: the apps keep their sessions in Memcached on redis1..redis3 instead of Redis',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['memcached-single', 'sticky-local'],
  },
  'memcached-single': {
    name: 'memcached-single',
    summary:
      'the apps keep their sessions in Memcached with ONE server in their list: it is a single point of failure',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['sessions-memcached', 'sticky-local'],
  },
  'sticky-local': {
    name: 'sticky-local',
    summary:
      'the apps keep sessions in their own memory and haproxy pins each client to one app (cookie SRV insert): an app node lost or drained logs its users out',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['sessions-memcached', 'memcached-single'],
  },
  'sentinel-two': {
    name: 'sentinel-two',
    summary:
      'only two Sentinels monitor the session master (the third runs unconfigured): losing one leaves no majority',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['sentinel-quorum-3'],
  },
  'sentinel-quorum-3': {
    name: 'sentinel-quorum-3',
    summary:
      'three Sentinels with quorum 3: after losing any one node the other two can never agree the master failed',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['sentinel-two'],
  },
  'redis-no-min-replicas': {
    name: 'redis-no-min-replicas',
    summary:
      'the Redis master acknowledges writes with no replica connected (min-replicas-to-write 0) while the inventory declares an RPO',
    applies: 'web',
    profiles: ['web'],
  },
  'redis-replica-lag': {
    name: 'redis-replica-lag',
    summary:
      "a write load on the Redis master while its replication link to redis3 is capped at 64 kbit/s (htb): redis3 falls further behind the master's offset every second",
    applies: 'web',
    profiles: ['web'],
  },
  'lb-nginx': {
    name: 'lb-nginx',
    summary:
      'not a defect: the other LB flavour, nginx instead of haproxy on both LBs (TLS termination, upstream of the 3 apps, keepalived tracks nginx)',
    applies: 'web',
    profiles: ['web'],
    conflicts: ['cert-on-backend', 'sticky-local'],
  },
}
