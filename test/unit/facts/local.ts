/**
 * Runs a gatherer snippet on this machine (bash, LC_ALL=C), for gatherers of
 * node facts that have no published corpus (host, routes): their parsers are
 * then tested on real output of this host, never on hand-written imitations.
 */
import {spawnSync} from 'node:child_process'

import type {Gatherer, GathererOutput} from '../../../src/facts/gatherer.js'

export function hasCommand(name: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${name}`], {encoding: 'utf8'}).status === 0
}

export function runLocally(g: Pick<Gatherer<unknown>, 'script'>): GathererOutput {
  const r = spawnSync('bash', ['-c', g.script], {
    encoding: 'utf8',
    env: {...process.env, LC_ALL: 'C', LANG: 'C', PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`},
    timeout: 20_000,
  })
  return {stdout: r.stdout, stderr: r.stderr, exitCode: r.status}
}
