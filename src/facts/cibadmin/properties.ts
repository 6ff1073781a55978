/** Cluster properties (crm_config) and the options the checks read from them. */
import {dict, durationMs, toBool} from '../util.js'
import {child, childrenNamed, type XmlEl} from '../xml.js'
import type {NvReader} from './secrets.js'

export interface CibNvSet {
  id?: string
  /** Set-level score/rule presence: rules are not evaluated, the set is merged as if it applied. */
  hasRule: boolean
  values: Record<string, string>
}

export interface ClusterOptions {
  /** Effective: fencing-enabled, else stonith-enabled, else the Pacemaker default true. */
  stonithEnabled: boolean
  stonithEnabledSource: 'fencing-enabled' | 'stonith-enabled' | 'default'
  /** As written (fencing-timeout or stonith-timeout) and in ms; undefined when unset (default 60s). */
  stonithTimeout?: string
  stonithTimeoutMs?: number
  stonithWatchdogTimeout?: string
  noQuorumPolicy?: string
  maintenanceMode?: boolean
  stopAllResources?: boolean
  symmetricCluster?: boolean
  startupFencing?: boolean
  dcDeadtime?: string
  dcDeadtimeMs?: number
  priorityFencingDelay?: string
  placementStrategy?: string
  clusterName?: string
  dcVersion?: string
  clusterInfrastructure?: string
  haveWatchdog?: boolean
}

export function clusterOptionsOf(p: Record<string, string>): ClusterOptions {
  const fencing = toBool(p['fencing-enabled'])
  const stonith = toBool(p['stonith-enabled'])
  const stonithTimeout = p['fencing-timeout'] ?? p['stonith-timeout']
  return {
    stonithEnabled: fencing ?? stonith ?? true,
    stonithEnabledSource:
      fencing !== undefined ? 'fencing-enabled' : stonith !== undefined ? 'stonith-enabled' : 'default',
    stonithTimeout,
    stonithTimeoutMs: durationMs(stonithTimeout),
    stonithWatchdogTimeout: p['fencing-watchdog-timeout'] ?? p['stonith-watchdog-timeout'],
    noQuorumPolicy: p['no-quorum-policy'],
    maintenanceMode: toBool(p['maintenance-mode']),
    stopAllResources: toBool(p['stop-all-resources']),
    symmetricCluster: toBool(p['symmetric-cluster']),
    startupFencing: toBool(p['startup-fencing']),
    dcDeadtime: p['dc-deadtime'],
    dcDeadtimeMs: durationMs(p['dc-deadtime']),
    priorityFencingDelay: p['priority-fencing-delay'],
    placementStrategy: p['placement-strategy'],
    clusterName: p['cluster-name'],
    dcVersion: p['dc-version'],
    clusterInfrastructure: p['cluster-infrastructure'],
    haveWatchdog: toBool(p['have-watchdog']),
  }
}

/** The property sets as written, and the properties merged (first set wins). */
export function propertiesOf(
  nv: NvReader,
  config: XmlEl,
): {propertySets: CibNvSet[]; properties: Record<string, string>} {
  const propertySets: CibNvSet[] = childrenNamed(child(config, 'crm_config'), 'cluster_property_set').map(
    (s) => ({
      id: s.attrs['id'],
      hasRule: childrenNamed(s, 'rule').length > 0,
      values: nv.nvpairs(s),
    }),
  )
  const properties = dict<string>()
  for (const s of propertySets)
    for (const [k, v] of Object.entries(s.values)) if (!(k in properties)) properties[k] = v
  return {propertySets, properties}
}
