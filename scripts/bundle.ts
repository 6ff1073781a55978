/**
 * Part of `npm run build`, after tsc: bundles each command of dist/commands/
 * (tsc's per-file output) into one file per command plus shared chunks in
 * dist/chunks/, in place, so that a command loads a handful of files instead
 * of ~165 of hacheck's own modules (~80 ms of CPU per run: Node's ES module
 * loader costs ~0.5 ms per file). Packages stay external: node_modules is
 * loaded exactly as before (pino's worker threads, ssh2's native parts and
 * the lazy createRequire() calls need their files). The rest of dist/ (the
 * library entry dist/index.js, declarations) is tsc's output, untouched.
 * Why: docs/performance.md, "Start-up".
 *
 * A module that finds package files next to itself (`new URL('../../schemas/…',
 * import.meta.url)`) gets the URL it has in tsc's layout, dist/<dir>/<file>.js,
 * wherever its code lands in the bundle.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative, sep} from 'node:path'

import {build, type Plugin} from 'esbuild'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')

function jsFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = join(dir, e.name)
    if (e.isDirectory()) return jsFiles(p)
    return e.name.endsWith('.js') ? [p] : []
  })
}

/** import.meta.url as it is for the file in tsc's layout: <package>/dist/<rel>. */
const tscLayoutUrl: Plugin = {
  name: 'tsc-layout-import-meta-url',
  setup(b) {
    b.onLoad({filter: /\/dist\/.*\.js$/}, (args) => {
      const rel = relative(dist, args.path).split(sep).join('/')
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return {contents: text, loader: 'js'}
      const url =
        `new URL(${JSON.stringify(rel)}, ` +
        `import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 6)).href`
      return {contents: text.replaceAll('import.meta.url', `(${url})`), loader: 'js'}
    })
  },
}

const common = {
  outdir: dist,
  outbase: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
} as const

const result = await build({
  ...common,
  entryPoints: jsFiles(join(dist, 'commands')),
  chunkNames: 'chunks/[name]-[hash]',
  packages: 'external',
  plugins: [tscLayoutUrl],
})
if (result.errors.length > 0) process.exit(1)

/**
 * The packages the audit fast path (dist/entry/fast-audit.js, loaded by bin/run.js) carries in its bundle:
 * oclif's flag builders and parser, with what they need. Importing them from node_modules loads ~70 files
 * of @oclif/core and its dependencies (~45 ms of CPU), bundled ~20 ms. Everything else stays external
 * (as in the commands), and so does any other entry of @oclif/core (the fast path loads '@oclif/core'
 * itself only to print an internal error, as oclif does).
 */
const carried = new Set(['@oclif/core/flags', '@oclif/core/parser'])
const fastPathPackages: Plugin = {
  name: 'fast-path-packages',
  setup(b) {
    b.onResolve({filter: /^[^./]/}, (args) => {
      if (args.path.startsWith('node:')) return {external: true}
      if (carried.has(args.path)) return undefined
      // What oclif's carried files require is carried too, except typescript (its ts-path code, not run).
      if (args.importer.includes('/node_modules/') && args.path !== 'typescript') return undefined
      return {external: true}
    })
  },
}
const fast = await build({
  ...common,
  entryPoints: [join(dist, 'entry', 'fast-audit.js')],
  chunkNames: 'chunks/fast-[name]-[hash]',
  // oclif's files are CommonJS: their require() of Node's modules needs a real require in an ES module.
  banner: {
    js: "import {createRequire as __hacheckRequire} from 'node:module'; const require = __hacheckRequire(import.meta.url);",
  },
  plugins: [tscLayoutUrl, fastPathPackages],
})
if (fast.errors.length > 0) process.exit(1)
