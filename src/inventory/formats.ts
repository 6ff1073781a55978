/**
 * The string formats of schemas/inventory.schema.json. The validator generator
 * (scripts/schema-validators.ts) compiles the schema with these very
 * definitions and the generated validator calls them at run time.
 */
import {fullFormats} from 'ajv-formats/dist/formats.js'

import {isCidr, isHost, isIpAddress} from '../core/address.js'

export const formats = {
  uri: fullFormats.uri,
  ip: {type: 'string', validate: isIpAddress},
  host: {type: 'string', validate: isHost},
  cidr: {type: 'string', validate: isCidr},
} as const
