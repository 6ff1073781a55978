/**
 * tc-qdisc: the queueing disciplines of a node's interfaces from
 * `tc -j qdisc show` (iproute2 JSON), e.g. to see a netem or tbf qdisc a fault
 * left behind. Output that is not that JSON reads as no qdisc.
 */
export interface Qdisc {
  dev: string
  kind: string
  handle: string
  root: boolean
}

interface TcJson {
  kind?: string
  handle?: string
  dev?: string
  root?: boolean
  parent?: string
}

export function parseQdiscs(json: string): Qdisc[] {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch {
    return []
  }
  if (!Array.isArray(data)) return []
  return (data as TcJson[]).map((q) => ({
    dev: q.dev ?? '?',
    kind: q.kind ?? '?',
    handle: q.handle ?? '',
    root: q.root === true || q.parent === undefined,
  }))
}
