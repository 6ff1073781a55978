/**
 * An independent read-back of pg-write runs, for tests that cross-check what
 * hacheck reports (metrics.ackedWrites / lostWrites / firstLostSeq …) with
 * code that shares nothing with src/chaos/metrics.ts or pg-write.ts:
 *
 *   - the acknowledged writes come straight from the saved timeline
 *     (runs/<runId>/timeline.jsonl: `write` events with ok: true);
 *   - the rows come from psql (on the new primary, over SSH or a unix socket),
 *     from a table the run kept (`--pg-keep-table`).
 *
 *   const acked = ackedSeqsFromJsonl(readFileSync(join(result.runDir, 'timeline.jsonl'), 'utf8'))
 *   const rows = parseSeqList((await runner.run(primary, {script: psqlSeqsScript(table, 'postgres')})).stdout)
 *   expect(crossCheckLostWrites(acked, rows).lost.length).toBe(result.metrics.lostWrites)
 *   await runner.run(primary, {script: psqlDropScript(table, 'postgres')})   // the kept table
 */

interface RawWrite {
  kind?: unknown
  seq?: unknown
  ok?: unknown
}

/** Sequence numbers of the acknowledged writes of a timeline (events as objects). */
export function ackedSeqsOf(events: readonly unknown[]): number[] {
  const out: number[] = []
  for (const e of events as RawWrite[]) {
    if (e.kind === 'write' && e.ok === true && typeof e.seq === 'number') out.push(e.seq)
  }
  return out.sort((a, b) => a - b)
}

/** The same from timeline.jsonl text. */
export function ackedSeqsFromJsonl(text: string): number[] {
  return ackedSeqsOf(
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown),
  )
}

/** `psql -At` output of `SELECT seq …`: one integer per line. */
export function parseSeqList(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      if (!/^\d+$/.test(l)) throw new Error(`not a sequence number: ${JSON.stringify(l)}`)
      return Number(l)
    })
    .sort((a, b) => a - b)
}

/** A node-side script (as root) printing every seq of the table, via the local postgres superuser. */
export function psqlSeqsScript(table: string, database: string): string {
  if (!/^[a-z0-9_]+$/.test(table) || !/^[A-Za-z0-9_]+$/.test(database))
    throw new Error('table and database must be plain identifiers')
  return `cd / && runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -d ${database} -c 'SELECT seq FROM ${table} ORDER BY seq'`
}

/** A node-side script (as root) dropping a table a run kept (`--pg-keep-table`). */
export function psqlDropScript(table: string, database: string): string {
  if (!/^hacheck_writes_[a-z0-9_]+$/.test(table) || !/^[A-Za-z0-9_]+$/.test(database))
    throw new Error('only a hacheck_writes_<run> table is dropped')
  return `cd / && runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -d ${database} -c 'DROP TABLE IF EXISTS ${table}'`
}

export interface CrossCheck {
  acked: number
  present: number
  /** Acknowledged and not present. */
  lost: number[]
  /** Present and not acknowledged (unknown outcomes that committed). */
  presentUnacked: number[]
}

export function crossCheckLostWrites(acked: readonly number[], present: readonly number[]): CrossCheck {
  const p = new Set(present)
  const a = new Set(acked)
  return {
    acked: a.size,
    present: p.size,
    lost: [...a].filter((s) => !p.has(s)).sort((x, y) => x - y),
    presentUnacked: [...p].filter((s) => !a.has(s)).sort((x, y) => x - y),
  }
}
