/**
 * The Debian packages the lab needs: lab/packages.txt is the only list (also read
 * by scripts/install-deps.sh and CI).
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {IncompleteError} from '../core/errors.js'
import {runLocal} from './exec.js'
import {labAssetsDir} from './nodes.js'

export interface PackageStatus {
  name: string
  installed: boolean
  version?: string
}

export function packageList(): string[] {
  return readFileSync(join(labAssetsDir(), 'packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/** Installed/missing per package (one dpkg-query call). */
export async function packageStatus(): Promise<PackageStatus[]> {
  const names = packageList()
  const r = await runLocal('dpkg-query', ['-W', '-f=${Package}\\t${Status}\\t${Version}\\n', ...names])
  const found = new Map<string, string>()
  for (const line of r.stdout.split('\n')) {
    const [pkg, status, version] = line.split('\t')
    if (pkg && status?.endsWith('install ok installed')) found.set(pkg.split(':')[0] ?? pkg, version ?? '')
  }
  return names.map((name) => ({name, installed: found.has(name), version: found.get(name)}))
}

export async function requirePackages(): Promise<void> {
  const missing = (await packageStatus()).filter((p) => !p.installed).map((p) => p.name)
  if (missing.length) {
    throw new IncompleteError(`the lab needs Debian packages that are missing: ${missing.join(' ')}`, {
      code: 'lab-missing-packages',
      actions: ['install them with: sudo hacheck lab deps --install'],
    })
  }
}

export function installScript(): string {
  return join(labAssetsDir(), '..', 'scripts', 'install-deps.sh')
}
