/**
 * power-off: the node's BMC powers it off for the hold, then on again (unless
 * --leave-off). The planner is parts/power.ts, shared with power-cycle and reset.
 */
import {opt} from '../plan/options.js'
import {defineFault, targetOf} from './parts/define.js'
import {IPMI_HELP, planPower, POWER_DEADMAN, POWER_TARGET} from './parts/power.js'

export default defineFault({
  id: 'power-off',
  summary: 'Power a node off through its BMC, then on again after the duration.',
  description: `${IPMI_HELP}

After --duration the node is powered on again (chassis power on) and its power state verified, unless --leave-off.
A detached dead-man on this machine powers the node back on if hacheck dies. The cluster is expected to fence the node and recover its resources elsewhere.`,
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 30s --load http://198.18.2.100/ --yes',
    {
      description:
        'Power off the database primary under PostgreSQL write load (the inventory cluster.database, or --pg-url); the JSON has metrics.ackedWrites, lostWrites and rpoMs:',
      command:
        '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 20s --workload pg-write --yes --format json',
    },
  ],
  target: POWER_TARGET,
  options: {
    leaveOff: opt.boolean({description: 'Leave the node powered off after the run (no automatic power-on).'}),
  },
  phases: {
    inject: 'ipmitool … chassis power off',
    verify: 'ipmitool … chassis power status says off',
    revert: 'ipmitool … chassis power on, then status says on (nothing with --leave-off)',
    deadman: POWER_DEADMAN,
  },
  plan: (input, ctx) =>
    planPower(input, {node: targetOf(ctx), action: 'off', leaveOff: ctx.options.leaveOff}),
})
