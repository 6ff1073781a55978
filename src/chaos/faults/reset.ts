/** reset: the node's BMC hard-resets it (chassis power reset, sent once). */
import {oneShotPowerFault} from './parts/power.js'

export default oneShotPowerFault({
  action: 'reset',
  summary: 'Hard-reset a node through its BMC, and observe the failover.',
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --workload pg-write --pg-url postgres://app@198.18.2.100:5432/app --yes',
  ],
})
