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

const result = await build({
  entryPoints: jsFiles(join(dist, 'commands')),
  outdir: dist,
  outbase: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [tscLayoutUrl],
})
if (result.errors.length > 0) process.exit(1)
