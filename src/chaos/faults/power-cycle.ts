/** power-cycle: the node's BMC turns it off and on again (chassis power cycle, sent once). */
import {oneShotPowerFault} from './parts/power.js'

export default oneShotPowerFault({
  action: 'cycle',
  summary: 'Power-cycle a node through its BMC (off, then on), and observe the failover.',
  examples: [
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 30s --load http://198.18.2.100/ --yes',
    '<%= config.bin %> <%= command.id %> -i lab.yaml --node n1 --duration 20s --workload pg-write --expect "rpo <= 0s" --yes',
  ],
})
