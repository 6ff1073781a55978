/**
 * cibadmin: the Pacemaker configuration and status (CIB) from `cibadmin -Q`.
 *
 * What the checks read: cluster properties (fencing on/off under both names:
 * `fencing-enabled` since Pacemaker 3, `stonith-enabled` before; stonith
 * timeout; no-quorum-policy; maintenance mode …), resources flattened with
 * their parents, fence devices with the hosts they cover and their BMC
 * address/user, fencing topology, constraints (including cli-ban/cli-prefer
 * leftovers of `crm_resource --move/--ban`), node utilization and the status
 * section (membership, fail counts, failed operations).
 *
 * Secrets: the snippet scrubs on the node, before anything leaves it, the
 * value of every <nvpair> whose name looks secret (pass, secret, key, token,
 * community, credential); the parser scrubs again (defence in depth) and
 * scrubCib() does the same on any CIB text kept as a capture. What remains is
 * the fact that a password is set (`hasPassword`), never its value.
 *
 * One parser, in parts under cibadmin/ by what they read: secrets.ts (scrubbing,
 * the nvpair reader), properties.ts, resources.ts, fencing.ts,
 * constraints.ts (and tags), nodes.ts (configured nodes and the status section).
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {constraintsOf, tagsOf, type CibConstraints} from './cibadmin/constraints.js'
import {fencingLevelsOf, stonithDeviceOf, type FencingLevel, type StonithDevice} from './cibadmin/fencing.js'
import {nodesOf, statusOf, type CibNode, type CibNodeState, type FailedOp} from './cibadmin/nodes.js'
import {clusterOptionsOf, propertiesOf, type CibNvSet, type ClusterOptions} from './cibadmin/properties.js'
import {resourcesOf, type CibContainer, type CibPrimitive} from './cibadmin/resources.js'
import {NvReader, SED_SCRUB} from './cibadmin/secrets.js'
import {toBool} from './util.js'
import {attrInt, child, parseXml} from './xml.js'

export {
  type CibConstraints,
  type CibRule,
  type ColocationConstraint,
  type LocationConstraint,
  type OrderConstraint,
  type ResourceSet,
} from './cibadmin/constraints.js'
export {type FencingLevel, parseHostMap, type StonithDevice} from './cibadmin/fencing.js'
export {type CibNode, type CibNodeState, type FailedOp, type NodeFailCount} from './cibadmin/nodes.js'
export {type CibNvSet, type ClusterOptions} from './cibadmin/properties.js'
export {type CibContainer, type CibOp, type CibPrimitive} from './cibadmin/resources.js'
export {isSecretName, SCRUBBED, SECRET_NAME, scrubCib} from './cibadmin/secrets.js'

export interface Cib {
  attrs: {
    validateWith?: string
    crmFeatureSet?: string
    epoch?: number
    numUpdates?: number
    adminEpoch?: number
    haveQuorum?: boolean
    dcUuid?: string
    cibLastWritten?: string
  }
  /** crm_config, first set wins (Pacemaker orders sets by score, the bootstrap set first). */
  properties: Record<string, string>
  propertySets: CibNvSet[]
  cluster: ClusterOptions
  rscDefaults: Record<string, string>
  opDefaults: Record<string, string>
  nodes: CibNode[]
  primitives: CibPrimitive[]
  containers: CibContainer[]
  stonithDevices: StonithDevice[]
  fencingLevels: FencingLevel[]
  constraints: CibConstraints
  tags: Record<string, string[]>
  status: {nodes: CibNodeState[]; failedOps: FailedOp[]}
  /** Names of nvpairs whose values were scrubbed. */
  scrubbed: string[]
}

/** Parses CIB XML (cibadmin -Q, cib.xml, crm_report). Secret nvpair values are scrubbed. */
export function parseCib(text: string): Cib {
  const root = parseXml(text, 'cibadmin')
  if (root.name !== 'cib') throw new ParseError(`cibadmin: root element is <${root.name}>, not <cib>`)
  const nv = new NvReader()
  const config = child(root, 'configuration')
  if (!config) throw new ParseError('cibadmin: no <configuration> section')
  const {propertySets, properties} = propertiesOf(nv, config)
  const {primitives, containers} = resourcesOf(nv, child(config, 'resources'))
  const nodes = nodesOf(nv, config)
  const constraints = constraintsOf(config)
  const fencingLevels = fencingLevelsOf(child(config, 'fencing-topology'))
  const tags = tagsOf(config)
  const statusEl = child(root, 'status')

  const haveQuorum = root.attrs['have-quorum']
  return {
    attrs: {
      validateWith: root.attrs['validate-with'],
      crmFeatureSet: root.attrs['crm_feature_set'],
      epoch: attrInt(root, 'epoch'),
      numUpdates: attrInt(root, 'num_updates'),
      adminEpoch: attrInt(root, 'admin_epoch'),
      haveQuorum: toBool(haveQuorum),
      dcUuid: root.attrs['dc-uuid'],
      cibLastWritten: root.attrs['cib-last-written'],
    },
    properties,
    propertySets,
    cluster: clusterOptionsOf(properties),
    rscDefaults: nv.sets(child(config, 'rsc_defaults'), 'meta_attributes'),
    opDefaults: nv.sets(child(config, 'op_defaults'), 'meta_attributes'),
    nodes,
    primitives,
    containers,
    stonithDevices: primitives.filter((p) => p.isStonith).map(stonithDeviceOf),
    fencingLevels,
    constraints,
    tags,
    status: statusOf(nv, statusEl),
    scrubbed: [...nv.scrubbed].sort(),
  }
}

export const cibadmin = defineGatherer<Cib>({
  id: 'cibadmin',
  description: 'Pacemaker configuration and status (cibadmin -Q), secrets scrubbed on the node',
  command: 'cibadmin -Q (passwords blanked on the node)',
  script: `set -o pipefail; cibadmin -Q | sed -E '${SED_SCRUB}'`,
  requires: ['cibadmin'],
  parse: (out) => parseCib(out.stdout),
})
