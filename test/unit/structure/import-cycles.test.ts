/**
 * No import cycle anywhere in src/: every file's imports (static, type-only and dynamic) are read with
 * TypeScript's own pre-processor, resolved to files, and the strongly connected components of that
 * graph must all be single files. A cycle makes load order matter and layers meaningless (chaos once had
 * load.ts ↔ pg-write.ts, and chaos ↔ checks); this test names every file of a cycle and the imports
 * that close it.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

import ts from 'typescript'
import {describe, expect, it} from 'vitest'

import {repoRoot} from '../../support/paths.js'

const srcDir = join(repoRoot, 'src')

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return tsFiles(p)
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
  })
}

/** file → the files of src/ it imports (relative specifiers only; packages cannot close a cycle). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const deps = new Set<string>()
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue
      const base = resolve(dirname(file), ref.fileName)
      const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]
      const hit = candidates.find((c) => known.has(c))
      if (hit) deps.add(hit)
    }
    graph.set(file, [...deps])
  }
  return graph
}

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number))
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop() as string
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return out
}

describe('the import graph of src/', () => {
  it('has no cycle: no file imports, even indirectly, a file that imports it', () => {
    const graph = importGraph(tsFiles(srcDir))
    const found = cycles(graph).map((scc) => {
      const members = new Set(scc)
      const edges = scc.flatMap((f) =>
        (graph.get(f) ?? [])
          .filter((g) => members.has(g))
          .map((g) => `${relative(repoRoot, f)} -> ${relative(repoRoot, g)}`),
      )
      return `cycle of ${scc.length} files:\n  ${edges.join('\n  ')}`
    })
    expect(found, found.join('\n')).toEqual([])
  })

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
      ['e', ['e']],
    ])
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['e']])
  })
})
