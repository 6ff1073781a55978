/**
 * Profile web: the load-balancer pair's keepalived (VRRP) configuration and its
 * variants. Pure functions; render.ts puts the files in the node list.
 *
 * Healthy: one VRRP instance VI_WWW (virtual_router_id 51) on eth0, the public
 * interface that carries the VIP; unicast peers (no multicast) on the public
 * network; PASS authentication; lb1 priority 150, lb2 100, both `state BACKUP`
 * with `nopreempt` (a recovered LB does not take the VIP back and cause a second
 * outage); vrrp_higher_prio_send_advert (a healed split re-announces the VIP's
 * MAC); a vrrp_script that follows haproxy (pgrep inside the node's own PID
 * namespace sees only that node's haproxy) so a dead haproxy moves the VIP.
 */
import {createHash} from 'node:crypto'

import {addrOn, VIP, type NodeDef, type VariantName} from './topology.js'

export const KEEPALIVED_CONF = 'etc/keepalived/keepalived.conf'
export const NGINX_CONF = 'etc/nginx/nginx.conf'
export const NGINX_CERT = 'etc/nginx/certs/www.hacheck.lab.crt'
export const NGINX_KEY = 'etc/nginx/certs/www.hacheck.lab.key'
export const VRRP_ROUTER_ID = 51
export const VRRP_INSTANCE = 'VI_WWW'

/** The VRRP variants of the web profile (each breaks exactly one VRRP check). */
export const VRRP_VARIANTS = [
  'vrrp-same-priority',
  'vrrp-no-auth',
  'vrrp-no-track',
  'vrrp-peer-mgmt',
  'vrrp-preempt',
  'vrrp-no-readvert',
  'vrrp-split',
  'vrrp-stale-vip',
] as const satisfies readonly VariantName[]

/**
 * The VRRP password (auth_pass keeps 8 characters): derived from the lab's secret, so it is
 * stable across `lab up` runs of one lab and never written in the state file or the inventory.
 */
export function vrrpPassword(labSecret: string, salt = 'vrrp'): string {
  return createHash('sha256').update(`${salt}:${labSecret}`).digest('hex').slice(0, 8)
}

export interface KeepalivedInput {
  variants: readonly VariantName[]
  /** The LB nodes, in order (the first is the preferred MASTER). */
  lbs: readonly NodeDef[]
  self: NodeDef
  labSecret: string
}

export function keepalivedConf(k: KeepalivedInput): string {
  const has = (v: VariantName): boolean => k.variants.includes(v)
  const idx = k.lbs.findIndex((n) => n.name === k.self.name)
  const first = idx === 0
  const net = has('vrrp-peer-mgmt') ? 'management' : 'public'
  const src = addrOn(k.self, net)
  const peers = k.lbs.filter((n) => n.name !== k.self.name).map((n) => addrOn(n, net))
  const priority = has('vrrp-same-priority') ? 100 : first ? 150 : 100
  // vrrp-split: the second LB has another password, so each drops the other's adverts and both
  // become MASTER (two VIP holders): the classic VRRP split brain, from a typo in one file.
  const pass = has('vrrp-split') && !first ? vrrpPassword(k.labSecret, 'other') : vrrpPassword(k.labSecret)
  const preempt = has('vrrp-preempt')
  const daemon = has('lb-nginx') ? 'nginx' : 'haproxy'
  const lines = [
    `# hacheck lab: VRRP for the VIP ${VIP} on ${k.self.name}`,
    'global_defs {',
    `    router_id ${k.self.name}`,
    '    enable_script_security',
    '    script_user root',
    // When the two MASTERs of a healed split hear each other, the one that steps down sends a last advert
    // first: the winner, seeing a lower priority, repeats its gratuitous ARPs (garp_lower_prio_repeat, by
    // default garp_master_repeat). Without it the winner never transitioned and announces nothing, and the
    // clients stay on the loser's MAC until their ARP entry expires (measured on the lab: a link pull of the
    // MASTER then left the clients failing well past the revert in about one run in three).
    ...(has('vrrp-no-readvert') ? [] : ['    vrrp_higher_prio_send_advert true']),
    '}',
    '',
  ]
  if (!has('vrrp-no-track')) {
    lines.push(
      `# Follows the LB daemon: ${daemon} gone => FAULT => the VIP moves to the peer.`,
      `vrrp_script chk_${daemon} {`,
      `    script "/usr/bin/pgrep -x ${daemon}"`,
      '    interval 1',
      '    timeout 1',
      '    fall 2',
      '    rise 2',
      '}',
      '',
    )
  }
  lines.push(
    `vrrp_instance ${VRRP_INSTANCE} {`,
    `    state ${preempt && first ? 'MASTER' : 'BACKUP'}`,
    // vrrp-peer-mgmt: the instance (its adverts) on the management eth1, the VIP still on eth0.
    `    interface ${net === 'management' ? 'eth1' : 'eth0'}`,
    `    virtual_router_id ${VRRP_ROUTER_ID}`,
    `    priority ${priority}`,
    '    advert_int 1',
    ...(preempt ? [] : ['    nopreempt']),
    `    unicast_src_ip ${src}`,
    '    unicast_peer {',
    ...peers.map((p) => `        ${p}`),
    '    }',
  )
  if (!has('vrrp-no-auth')) {
    lines.push('    authentication {', '        auth_type PASS', `        auth_pass ${pass}`, '    }')
  }
  lines.push('    virtual_ipaddress {', `        ${VIP}/24 dev eth0`, '    }')
  // vrrp-stale-vip: a notify script puts the VIP on by hand whenever the LB becomes BACKUP, so the
  // BACKUP holds it next to the MASTER (as a VIP in the distribution's network configuration would).
  if (has('vrrp-stale-vip')) lines.push(`    notify_backup "/usr/bin/ip addr add ${VIP}/24 dev eth0"`)
  if (!has('vrrp-no-track')) lines.push('    track_script {', `        chk_${daemon}`, '    }')
  lines.push('}', '')
  return lines.join('\n')
}

/** nginx as the LB flavour (variant lb-nginx): TLS on 443, HTTP redirected, the app servers as upstream. */
export function nginxConf(apps: readonly NodeDef[], hostname: string): string {
  return `# hacheck lab load balancer (${hostname}), nginx flavour
worker_processes 1;
daemon off;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events {
    worker_connections 512;
}
http {
    access_log /var/log/nginx/access.log;
    upstream be_app {
${apps.map((a) => `        server ${addrOn(a, 'public')}:8080 max_fails=1 fail_timeout=5s;`).join('\n')}
    }
    server {
        listen 80;
        return 301 https://$host$request_uri;
    }
    server {
        listen 443 ssl;
        server_name ${hostname};
        ssl_certificate /${NGINX_CERT};
        ssl_certificate_key /${NGINX_KEY};
        location / {
            proxy_pass http://be_app;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502 http_503;
        }
    }
}
`
}

/** The certificate blocks and the key block of a PEM bundle. */
export function splitPem(pem: string): {cert: string; key: string} {
  const blocks = pem.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----\n?/g) ?? []
  const isKey = (b: string): boolean => /BEGIN [A-Z ]*PRIVATE KEY/.test(b)
  return {cert: blocks.filter((b) => !isKey(b)).join(''), key: blocks.filter(isKey).join('')}
}
