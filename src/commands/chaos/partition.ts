import {Flags} from '@oclif/core'

import {executeFault, faultFlags, type DryRunJson} from '../../chaos/cli/command.js'
import {partitionRequest, type PartitionRequestOptions} from '../../chaos/run/requests.js'
import type {ChaosResult} from '../../chaos/measure/result.js'
import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../core/errors.js'
import {EXIT_CODES_HELP} from '../../core/exit-codes.js'

export default class ChaosPartition extends BaseCommand<typeof ChaosPartition> {
  static override summary = 'Split the cluster into groups of nodes that cannot reach each other.'

  static override description = `On every node, hacheck's chain HACHECK drops traffic from and to the addresses (on the inventory's networks) of the nodes in the other groups; the controller's SSH path and the BMCs stay open. Give exactly one of:
  --isolate NODE        that node alone against the rest
  --groups n1,n2/n3     explicit groups, separated by "/" (nodes not named join the first group)
  --isolate-witness     the node(s) with role witness against the rest
  --majority-minority   a minority of ⌊(N-1)/2⌋ nodes (including --node, if given) against the rest
Split-brain must not happen: the default expectation is "no-split-brain" (at no sample do two nodes hold the VIP).

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --isolate n1 --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --groups n1,n2/n3,n4 --allow-quorum-loss --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --isolate n1 --duration 30s --workload pg-write --expect "split-brain-writes == 0" --yes',
  ]

  static override flags = {
    ...faultFlags,
    isolate: Flags.string({summary: 'Isolate this node (a name, or @service, @dc, @replica).'}),
    groups: Flags.string({summary: 'Explicit groups: n1,n2/n3.'}),
    'isolate-witness': Flags.boolean({summary: 'Isolate the witness (role witness).'}),
    'majority-minority': Flags.boolean({summary: 'Split into a majority and a minority.'}),
    node: Flags.string({
      char: 'n',
      summary: 'With --majority-minority: a node to put in the minority.',
      dependsOn: ['majority-minority'],
    }),
  }

  public async run(): Promise<ChaosResult | DryRunJson | undefined> {
    const {flags} = await this.parse(ChaosPartition)
    const given = [
      flags.isolate !== undefined,
      flags.groups !== undefined,
      flags['isolate-witness'],
      flags['majority-minority'],
    ].filter(Boolean).length
    if (given !== 1)
      throw new InputError(
        'give exactly one of --isolate NODE, --groups n1,n2/n3, --isolate-witness, --majority-minority',
      )
    const o: PartitionRequestOptions =
      flags.isolate !== undefined
        ? {kind: 'isolate', node: flags.isolate}
        : flags.groups !== undefined
          ? {kind: 'groups', groups: flags.groups}
          : flags['isolate-witness']
            ? {kind: 'isolate-witness'}
            : {kind: 'majority', ...(flags.node ? {node: flags.node} : {})}
    return executeFault(flags, () => partitionRequest(o), this.io())
  }
}
