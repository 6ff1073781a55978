/**
 * Profile web: haproxy's configuration on the LB pair and the app servers' settings (sessions per the
 * variants, render-sessions.ts). Pure; render.ts puts the files in the node list.
 */
import {hasVariant as has, type LabSpec} from './lab-spec.js'
import {appSessionSettings} from './render-sessions.js'
import {TLS_HOSTNAME, type NodeDef} from './topology.js'

export function haproxyConf(spec: LabSpec): string {
  const apps = spec.nodes.filter((n) => n.roles.includes('app'))
  const sticky = has(spec, 'sticky-local')
  const head = `# hacheck lab load balancer (${TLS_HOSTNAME})
global
    log /dev/log local0
    maxconn 2048
    pidfile /run/haproxy.pid
    stats socket /run/haproxy/admin.sock mode 660 level admin

defaults
    log global
${
  has(spec, 'lb-long-timeouts')
    ? '    # lb-long-timeouts: a dead app stalls each request sent to it for 30 s, a hung one for 10 min\n    timeout connect 30s\n    timeout client 30s\n    timeout server 10m\n'
    : '    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n'
}`
  if (has(spec, 'cert-on-backend')) {
    return `${head}    mode tcp
    option tcplog

# TLS is passed through: the certificate lives on the app nodes.
frontend fe_www_tls
    bind :443
    default_backend be_app_tls

backend be_app_tls
    balance roundrobin
${apps.map((a) => `    server ${a.name} ${a.host}:8443 check`).join('\n')}
`
  }
  // lb-one-server: the backend lists app1 only; lb-no-check: no health check (no httpchk, no `check`).
  const backends = has(spec, 'lb-one-server') ? apps.slice(0, 1) : apps
  const checked = !has(spec, 'lb-no-check')
  return `${head}    mode http
    option httplog

frontend fe_www
    bind :80
    bind :443 ssl crt /etc/haproxy/certs/${TLS_HOSTNAME}.pem
    http-request redirect scheme https unless { ssl_fc }
    default_backend be_app

backend be_app
    balance roundrobin
${checked ? '    option httpchk GET /health\n' : ''}${sticky ? '    # sticky-local: each client pinned to one app (its sessions live in that app only)\n    cookie SRV insert indirect nocache\n' : ''}${backends.map((a) => `    server ${a.name} ${a.host}:8080${checked ? ' check inter 1s fall 2 rise 2' : ''}${sticky ? ` cookie ${a.name}` : ''}`).join('\n')}
`
}

export function appConf(spec: LabSpec, node: NodeDef): string {
  const tls = has(spec, 'cert-on-backend')
  return [
    `# hacheck lab app server ${node.name}`,
    `name=${node.name}`,
    'bind=0.0.0.0',
    `port=${tls ? 8443 : 8080}`,
    ...(tls ? [`cert=/srv/app/tls/${TLS_HOSTNAME}.pem`] : []),
    ...appSessionSettings(spec.variants, spec.nodes),
    '',
  ].join('\n')
}
