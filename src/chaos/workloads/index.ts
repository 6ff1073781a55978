/**
 * Every workload hacheck can run during a fault, one declaration per file in
 * this folder (a new one is added here, and to nothing else: the runner only
 * knows the Workload interface).
 */
import command from './command.js'
import http from './http.js'
import pgWrite from './pg-write.js'
import sessions from './sessions.js'
import tcp from './tcp.js'
import type {AnyWorkload, WorkloadSpec} from './types.js'

export const WORKLOADS: readonly AnyWorkload[] = [
  http,
  tcp,
  command,
  pgWrite,
  sessions,
] as unknown as AnyWorkload[]

export function workloadOf(spec: WorkloadSpec): AnyWorkload {
  const w = WORKLOADS.find((x) => x.kind === spec.kind)
  if (!w) throw new Error(`unknown workload kind ${spec.kind}`)
  return w
}

/** One line for reports and the timeline. */
export function describeWorkload(spec: WorkloadSpec): string {
  return workloadOf(spec).describe(spec)
}
