import {etcd} from '../../facts/etcd.js'
import {fail, pass} from '../define.js'
import {defineEtcdMembersCheck} from '../define-system.js'
import {ev, remediation} from '../evidence.js'

/** Peer and client URLs use TLS (https) for every member. */
export default defineEtcdMembersCheck({
  id: 'etcd.tls',
  title: 'etcd peers and clients talk TLS',
  area: 'etcd',
  severity: 'warning',
  rationale:
    'Whoever can reach an etcd client URL without TLS and authentication can rewrite the DCS: take the Patroni leader key, or any Kubernetes object. Peer traffic in clear can be spoofed into the Raft group.',
  params: {},
  judge(from, e) {
    const evidence = [
      ev(from, etcd, {
        members: e.members.map((m) => ({name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls})),
      }),
    ]
    const plain = [...(e.peerTls ? [] : ['peer']), ...(e.clientTls ? [] : ['client'])]
    if (plain.length) return fail(`${plain.join(' and ')} URLs without TLS (http://)`, evidence)
    return pass('peer and client URLs are https on every member', evidence)
  },
  remediation: remediation(
    'etcd serves its peers or clients without TLS.',
    'Give every member `--cert-file/--key-file/--trusted-ca-file --client-cert-auth` (clients) and `--peer-cert-file/--peer-key-file/--peer-trusted-ca-file --peer-client-cert-auth` (peers), switch the URLs to https, and point Patroni (`etcd3: protocol: https, cacert, cert, key`) and etcdctl at them.',
    ['https://etcd.io/docs/v3.4/op-guide/security/'],
  ),
})
