import {etcd} from '../../facts/etcd.js'
import {fail, pass} from '../define.js'
import {defineEtcdMembersCheck} from '../define-system.js'
import {ev, remediation} from '../evidence.js'

/** An odd number of voting members (3, 5): an even count adds a member to fail without adding tolerance. */
export default defineEtcdMembersCheck({
  id: 'etcd.odd-count',
  title: 'etcd has an odd number of voting members',
  area: 'etcd',
  severity: 'warning',
  rationale:
    'etcd needs a majority of its voting members: 3 members tolerate 1 failure, 4 members still only 1 (and a 2+2 split stops everything), 5 tolerate 2. An even count costs a node and gains nothing.',
  params: {},
  judge(from, e) {
    const voters = e.members.filter((m) => !m.isLearner)
    const evidence = [ev(from, etcd, {voters: voters.map((m) => m.name)})]
    const tolerate = Math.floor((voters.length - 1) / 2)
    if (voters.length % 2 === 0)
      return fail(
        `${voters.length} voting members: an even count (tolerates ${tolerate} failure${tolerate === 1 ? '' : 's'}, like ${voters.length - 1})`,
        evidence,
      )
    return pass(
      `${voters.length} voting members: tolerates ${tolerate} failure${tolerate === 1 ? '' : 's'}`,
      evidence,
    )
  },
  remediation: remediation(
    'The etcd cluster has an even number of voting members.',
    'Add or remove one member (`etcdctl member add` / `member remove`) to run 3 or 5.',
    ['https://etcd.io/docs/v3.4/faq/#why-an-odd-number-of-cluster-members'],
  ),
})
