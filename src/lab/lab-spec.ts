/**
 * What every lab renderer and run-time step takes: the lab's profile, variants and nodes (LabSpec), and a
 * rendered file (NodeFile). Its own module so the per-stack renderers (render-*.ts) can import it without
 * an import cycle through render.ts. Types only.
 */
import type {NodeDef, ProfileName, VariantName} from './topology.js'

export interface LabSpec {
  profile: ProfileName
  variants: VariantName[]
  nodes: NodeDef[]
  clusterName: string
  bmcPassword: string
  labDir: string
  labBin: string
  /** Certificate + key (PEM) for TLS_HOSTNAME, web profile only. */
  tlsPem?: string
}

/** A file under a node's private root (path relative to /). */
export interface NodeFile {
  path: string
  content: string
  mode: number
  owner?: 'hacluster' | 'root'
}

/** Whether the lab runs with this variant. */
export const hasVariant = (spec: Pick<LabSpec, 'variants'>, v: VariantName): boolean =>
  spec.variants.includes(v)
