import {Flags} from '@oclif/core'

/**
 * `-i, --inventory FILE`: the inventory every cluster command works on.
 * Falls back to $HACHECK_INVENTORY. Load it with `loadInventory(flags.inventory)`.
 */
export const inventoryFlag = Flags.string({
  char: 'i',
  summary: 'Inventory file (YAML or JSON) describing the cluster and its nodes.',
  description:
    'Defaults to $HACHECK_INVENTORY. Format: docs/inventory.md; check it with `hacheck inventory validate`.',
  helpValue: 'FILE',
  env: 'HACHECK_INVENTORY',
  required: true,
})
