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
  try {
    return parseQdiscsStrict(json)
  } catch {
    return []
  }
}

/** The same, for a check that must not read garbage as "no qdisc": throws when the text is not tc's JSON list. */
export function parseQdiscsStrict(json: string): Qdisc[] {
  const data: unknown = JSON.parse(json)
  if (!Array.isArray(data)) throw new Error('expected a JSON list of qdiscs (tc -j qdisc show)')
  return (data as TcJson[]).map((q) => ({
    dev: q.dev ?? '?',
    kind: q.kind ?? '?',
    handle: q.handle ?? '',
    root: q.root === true || q.parent === undefined,
  }))
}
