import {describe, expect, it} from 'vitest'

import {parseQdeviceTool} from '../../../src/facts/corosync-qdevice-tool.js'
import {ParseError} from '../../../src/facts/gatherer.js'

// No published capture of corosync-qdevice-tool -s in the corpus yet: the
// parser keeps every line raw; these one-line shapes pin the typed fields.
describe('corosync-qdevice-tool parser', () => {
  it('reads the qnetd connection, algorithm and state of a connected net qdevice', () => {
    const q = parseQdeviceTool(
      'Qdevice information\n-------------------\nModel:                  Net\nNode ID:                1\nMembership node list:   1, 2\n\nQdevice-net information\n----------------------\nCluster name:           hacluster\nQNetd host:             198.18.10.3:5403\nAlgorithm:              Fifty-Fifty split\nTie-breaker:            Node with lowest node ID\nState:                  Connected\n',
    )
    expect(q).toMatchObject({
      model: 'Net',
      nodeId: 1,
      membershipNodeList: [1, 2],
      qnetdHost: '198.18.10.3',
      qnetdPort: 5403,
      algorithm: 'Fifty-Fifty split',
      state: 'Connected',
      connected: true,
    })
    expect(q.raw['Qdevice-net information']?.['Cluster name']).toBe('hacluster')
  })

  it('reports a qdevice that is not connected', () => {
    expect(parseQdeviceTool('State:                  Connect failed\n').connected).toBe(false)
  })

  it('gives a parse error for output without status lines', () => {
    expect(() => parseQdeviceTool('\n')).toThrow(ParseError)
  })
})
