import {corosyncConf} from '../../facts/corosync-conf.js'
import {corosyncQdeviceTool} from '../../facts/corosync-qdevice-tool.js'
import {defineNodeCheck, fail, pass, skip} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 1: where a quorum device is configured, every node's qdevice is connected to the witness (qnetd). */
export default defineNodeCheck({
  id: 'quorum.witness',
  title: 'The quorum witness is reachable from every node',
  area: 'quorum',
  severity: 'critical',
  rationale:
    'A witness only breaks ties if the nodes can reach it when the split happens: a qdevice that is not connected casts no vote, and an even cluster falls back to a 50/50 deadlock.',
  params: {},
  facts: {conf: corosyncConf},
  optionalFacts: {qd: corosyncQdeviceTool},
  evaluate({conf}, _p, node, _ctx, {qd}) {
    const dev = conf.quorum.device
    if (!dev?.model) return skip('no quorum device configured in corosync.conf')
    const where = dev.net?.host ? `${dev.net.host}${dev.net.port ? `:${dev.net.port}` : ''}` : 'the witness'
    if (!qd.ok) {
      const e = [ev(node.name, corosyncQdeviceTool, qd.error, 'State: Connected')]
      return qd.error.code === 'not-installed'
        ? fail(`a quorum device (model ${dev.model}) is configured but corosync-qdevice is not installed`, e)
        : fail(
            `corosync-qdevice is not answering on ${node.name} (${qd.error.message}): no witness vote from this node`,
            e,
          )
    }
    const e = [
      ev(
        node.name,
        corosyncQdeviceTool,
        {
          model: qd.value.model,
          qnetd: qd.value.qnetdHost,
          state: qd.value.state,
          algorithm: qd.value.algorithm,
        },
        'State: Connected',
      ),
    ]
    if (qd.value.connected)
      return pass(
        `qdevice connected to ${qd.value.qnetdHost ?? where} (${qd.value.algorithm ?? dev.net?.algorithm ?? 'algorithm ?'})`,
        e,
      )
    return fail(`qdevice is ${qd.value.state ?? 'not connected'} to ${where}`, e)
  },
  remediation: remediation(
    'A node cannot use the quorum witness.',
    'Check that corosync-qdevice runs on the node (`corosync-qdevice-tool -s`), that the qnetd host answers on TCP 5403 from every node (`nc -vz <qnetd> 5403`), and that the qnetd certificates are in place when `tls: on` (`corosync-qdevice-net-certutil`). On the witness, `corosync-qnetd-tool -l` lists connected clusters.',
    ['corosync-qdevice(8)', 'corosync-qnetd(8)'],
  ),
})
