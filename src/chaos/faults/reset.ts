/** reset: the node's BMC hard-resets it (chassis power reset, sent once). */
import {defineFault, targetOf} from './parts/define.js'
import {IPMI_HELP, planPower, POWER_DEADMAN, POWER_TARGET} from './parts/power.js'

export default defineFault({
  id: 'reset',
  summary: 'Hard-reset a node through its BMC, and observe the failover.',
  description: `${IPMI_HELP}

chassis power reset is sent once; --duration is how long the cluster is observed afterwards. The revert makes sure the node is powered on.
A detached dead-man on this machine powers the node back on if hacheck dies. The cluster is expected to fence the node and recover its resources elsewhere.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --workload pg-write --pg-url postgres://app@198.18.2.100:5432/app --yes',
  ],
  target: POWER_TARGET,
  options: {},
  phases: {
    inject: 'ipmitool … chassis power reset',
    verify: 'the BMC answers chassis power status',
    revert: 'ipmitool … chassis power on (idempotent: makes sure it is on), then status says on',
    deadman: POWER_DEADMAN,
  },
  plan: (input, ctx) => planPower(input, {node: targetOf(ctx), action: 'reset'}),
})
