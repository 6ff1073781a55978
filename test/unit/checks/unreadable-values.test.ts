/**
 * A value a parser cannot read is "cannot tell" (status error), never the
 * default (issue 16, deliverable 4). Inputs are the lab's real corosync.conf
 * (examples/lab-healthy) with one value changed.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCheck} from '../../support/check-harness.js'
import {repoRoot} from '../../support/paths.js'

const conf = readFileSync(join(repoRoot, 'examples', 'lab-healthy', 'n1', 'corosync-conf.out'), 'utf8')
const withVotes = (node: string, votes: string): string =>
  conf.replace(`        name: ${node}\n`, `        name: ${node}\n        quorum_votes: ${votes}\n`)
const nodes = (text: string) =>
  ['n1', 'n2', 'n3'].map((name) => ({name, roles: ['cluster'], outputs: {'corosync-conf': text}}))

describe('quorum.votes on a quorum_votes it cannot read', () => {
  it('cannot tell, naming the value, rather than count the default of one vote', () => {
    const r = runCheck('quorum.votes', nodes(withVotes('n1', 'one')))
    expect(r[0]?.status).toBe('error')
    expect(r[0]?.message).toMatch(/cannot read quorum_votes "one"/)
  })

  it('counts a node with quorum_votes 0 as no vote (an even total of 2 here), not as one', () => {
    expect(runCheck('quorum.votes', nodes(conf))[0]?.status).toBe('pass')
    expect(runCheck('quorum.votes', nodes(withVotes('n3', '0')))[0]?.status).toBe('fail')
  })
})
