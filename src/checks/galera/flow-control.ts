import {fail, pass, warn} from '../define.js'
import {defineGaleraNodeCheck} from '../define-system.js'
import {remediation} from '../evidence.js'

/** Flow control and receive-queue pressure: the node keeps up with the cluster's writes. */
export default defineGaleraNodeCheck({
  id: 'galera.flow-control',
  title: 'No Galera node throttles the cluster (flow control, receive queue)',
  area: 'galera',
  severity: 'warning',
  rationale:
    'Galera replication is only as fast as its slowest node: a node whose receive queue grows sends flow-control messages that pause writes on EVERY node (wsrep_flow_control_paused is the fraction of time paused since the last FLUSH STATUS). A cluster that already throttles has no headroom for a failover, when the survivors take the whole load and a rejoining node needs a state transfer.',
  params: {maxPausedFraction: 0.1, maxRecvQueueAvg: 0.5},
  observe: (s) => ({
    wsrep_flow_control_paused: s?.flowControlPaused,
    wsrep_flow_control_sent: s?.flowControlSent,
    wsrep_local_recv_queue: s?.recvQueue,
    wsrep_local_recv_queue_avg: s?.recvQueueAvg,
  }),
  judge(s, p, e) {
    if (s.flowControlPaused === undefined || s.recvQueueAvg === undefined)
      return warn('wsrep_flow_control_paused or wsrep_local_recv_queue_avg not reported: pressure unknown', e)
    const bad: string[] = []
    if (s.flowControlPaused > p.maxPausedFraction)
      bad.push(
        `paused by flow control ${(s.flowControlPaused * 100).toFixed(1)} % of the time (limit ${p.maxPausedFraction * 100} %)`,
      )
    if (s.recvQueueAvg > p.maxRecvQueueAvg)
      bad.push(
        `average receive queue ${s.recvQueueAvg} write sets (limit ${p.maxRecvQueueAvg}): the node applies slower than the cluster writes`,
      )
    if (bad.length) return fail(bad.join('; '), e)
    return pass(
      `flow control paused ${(s.flowControlPaused * 100).toFixed(1)} % of the time, average receive queue ${s.recvQueueAvg}`,
      e,
    )
  },
  remediation: remediation(
    'A Galera node cannot apply write sets as fast as the cluster produces them, and throttles everyone.',
    'Find the slow node (highest `wsrep_local_recv_queue_avg`, `wsrep_flow_control_sent` growing): slower disk or CPU, long-running DDL, too few applier threads (`wsrep_slave_threads`). Raise `gcs.fc_limit` only with the cause understood. The values are averages since the last `FLUSH STATUS`: read them again after one to see the present.',
    [
      'https://galeracluster.com/library/documentation/node-states.html#flow-control',
      'https://mariadb.com/kb/en/galera-cluster-status-variables/',
    ],
  ),
})
