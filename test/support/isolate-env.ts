/**
 * vitest globalSetup of every project: the tests never see this machine's own
 * hacheck state or settings. XDG_STATE_HOME (chaos runs, ledgers, logs, hacheck's
 * known_hosts), XDG_CONFIG_HOME (the config file) and XDG_CACHE_HOME (shell
 * completion) point at a fresh temporary directory for the run, and the
 * variables that set defaults (HACHECK_CONFIG, HACHECK_INVENTORY) are cleared,
 * so a machine that has run chaos before, or an operator's config file, gives
 * the same results as CI's fresh machine. Tests that need their own state
 * directory still make one. Also says once when ../shared is absent.
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {haveJunitXsd, haveShared, sharedFixturesDir, junitXsd} from './paths.js'

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'hacheck-test-home-'))
  for (const [name, dir] of [
    ['XDG_STATE_HOME', 'state'],
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_CACHE_HOME', 'cache'],
  ] as const) {
    mkdirSync(join(root, dir))
    process.env[name] = join(root, dir)
  }
  delete process.env.HACHECK_CONFIG
  delete process.env.HACHECK_INVENTORY
  if (!haveShared)
    console.warn(
      `[hacheck tests] ${sharedFixturesDir} is absent: the cases on published tool outputs are SKIPPED (each file says which)`,
    )
  if (!haveJunitXsd)
    console.warn(`[hacheck tests] ${junitXsd} is absent: JUnit XSD validation with xmllint is SKIPPED`)
  return () => rmSync(root, {recursive: true, force: true})
}
