/**
 * The scheduling files in deploy/: the systemd service and timer pass
 * `systemd-analyze verify` (against a throwaway root with the real unit
 * library and hacheck installed where the unit expects it), the Kubernetes
 * manifests validate against the Kubernetes API schema (kubernetes-models,
 * Kubernetes 1.27), the Containerfile passes dockerfile-utils' linter (it is
 * not built here: there is no container engine), and the command lines they
 * run are accepted by hacheck itself.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {validate as lintDockerfile} from 'dockerfile-utils'
import {CronJob} from 'kubernetes-models/batch/v1'
import {PersistentVolumeClaim} from 'kubernetes-models/v1'
import {afterAll, describe, expect, it} from 'vitest'
import {parseAllDocuments} from 'yaml'

import {repoRoot} from '../../support/paths.js'

const DEPLOY = join(repoRoot, 'deploy')
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze'
const UNIT_LIBRARY = '/usr/lib/systemd/system'
const tmps: string[] = []
afterAll(() => {
  for (const d of tmps) rmSync(d, {recursive: true, force: true})
})
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hacheck-deploy-'))
  tmps.push(d)
  return d
}

/** A root with the system's unit library, hacheck at /usr/local/bin (running this checkout) and `units`. */
function unitRoot(units: Record<string, string>): string {
  const root = tmp()
  mkdirSync(join(root, 'usr/lib/systemd'), {recursive: true})
  cpSync(UNIT_LIBRARY, join(root, 'usr/lib/systemd/system'), {recursive: true, verbatimSymlinks: true})
  symlinkSync('usr/lib', join(root, 'lib'))
  mkdirSync(join(root, 'usr/local/bin'), {recursive: true})
  const bin = join(root, 'usr/local/bin/hacheck')
  writeFileSync(bin, `#!/bin/sh\nexec node ${join(repoRoot, 'bin/run.js')} "$@"\n`)
  chmodSync(bin, 0o755)
  mkdirSync(join(root, 'etc/systemd/system'), {recursive: true})
  for (const [name, text] of Object.entries(units))
    writeFileSync(join(root, 'etc/systemd/system', name), text)
  return root
}

function verify(root: string, names: string[]): {code: number | null; out: string} {
  const r = spawnSync(
    SYSTEMD_ANALYZE,
    ['verify', `--root=${root}`, ...names.map((n) => join(root, 'etc/systemd/system', n))],
    {
      encoding: 'utf8',
    },
  )
  return {code: r.status, out: (r.stdout + r.stderr).trim()}
}

const unit = (name: string): string => readFileSync(join(DEPLOY, 'systemd', name), 'utf8')

/** The ExecStart of a unit as argv (the unit uses no quoting). */
function execStart(text: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith('ExecStart='))
  if (!line) throw new Error('no ExecStart')
  return line.slice('ExecStart='.length).trim().split(/\s+/)
}

/** Runs hacheck with `argv` (its own argv[0] dropped) on a fleet of the lab captures, paths replaced. */
function runOnCaptureFleet(
  argv: string[],
  replace: Record<string, string>,
): {code: number | null; stdout: string; stderr: string} {
  const args = argv.map((a) => replace[a] ?? a)
  const r = spawnSync('node', [join(repoRoot, 'bin/run.js'), ...args], {
    encoding: 'utf8',
    env: {...process.env, XDG_STATE_HOME: tmp(), HACHECK_HISTORY: ''},
  })
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

function captureFleet(): string {
  const dir = tmp()
  writeFileSync(
    join(dir, 'fleet.yaml'),
    `clusters:\n  - {capture: ${join(repoRoot, 'examples/lab-healthy')}, name: a, skip: ['6', '7']}\n  - {capture: ${join(repoRoot, 'examples/lab-stonith-disabled')}, name: b}\n`,
  )
  return dir
}

const haveSystemd = existsSync(SYSTEMD_ANALYZE) && existsSync(UNIT_LIBRARY)

describe.skipIf(!haveSystemd)('the systemd service and timer', () => {
  it('pass systemd-analyze verify with no diagnostic', () => {
    const root = unitRoot({
      'hacheck-audit.service': unit('hacheck-audit.service'),
      'hacheck-audit.timer': unit('hacheck-audit.timer'),
    })
    expect(verify(root, ['hacheck-audit.service', 'hacheck-audit.timer'])).toEqual({code: 0, out: ''})
  })

  it('would be caught by that check with a misspelt key or a missing program', () => {
    const root = unitRoot({
      'hacheck-audit.timer': unit('hacheck-audit.timer').replace('OnCalendar=', 'OnCalender='),
    })
    expect(verify(root, ['hacheck-audit.timer']).out).toMatch(/Unknown key 'OnCalender'/)
    const root2 = unitRoot({
      'hacheck-audit.service': unit('hacheck-audit.service').replace(
        'ExecStart=/usr/local/bin/hacheck',
        'ExecStart=/usr/local/bin/hachek',
      ),
    })
    expect(verify(root2, ['hacheck-audit.service'])).toMatchObject({
      code: 1,
      out: expect.stringMatching(/hachek is not executable/),
    })
  })

  it('start a command line hacheck accepts: a fleet audit with history and a textfile-collector file', () => {
    const argv = execStart(unit('hacheck-audit.service'))
    expect(argv[0]).toBe('/usr/local/bin/hacheck')
    const out = tmp()
    const r = runOnCaptureFleet(argv.slice(1), {
      '/etc/hacheck/fleet': captureFleet(),
      '/var/lib/hacheck/history': join(out, 'history'),
      '/var/lib/prometheus/node-exporter/hacheck.prom': join(out, 'hacheck.prom'),
      '/var/log/hacheck/hacheck.log': join(out, 'hacheck.log'),
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('2 clusters: 1 passed, 1 failed')
    expect(readFileSync(join(out, 'hacheck.prom'), 'utf8')).toContain(
      'hacheck_audit_exit_code{cluster="b"} 1',
    )
    expect(
      execFileSync('ls', [join(out, 'history')], {encoding: 'utf8'})
        .split('\n')
        .filter(Boolean),
    ).toEqual(['a', 'b'])
    // Exit 1 (findings) is a success for the unit: the metrics carry the findings.
    expect(unit('hacheck-audit.service')).toMatch(/^SuccessExitStatus=1$/m)
  })
})

describe('the Kubernetes manifests', () => {
  // Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml).
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, 'kubernetes/cronjob.yaml'), 'utf8'), {
    version: '1.1',
  }).map((d) => d.toJS() as {kind: string} & Record<string, unknown>)
  const cron = docs.find((d) => d.kind === 'CronJob') as unknown as ConstructorParameters<typeof CronJob>[0]

  it('validate against the Kubernetes API schema', () => {
    expect(docs.map((d) => d.kind)).toEqual(['PersistentVolumeClaim', 'CronJob'])
    expect(() =>
      new PersistentVolumeClaim(docs[0] as ConstructorParameters<typeof PersistentVolumeClaim>[0]).validate(),
    ).not.toThrow()
    expect(() => new CronJob(cron).validate()).not.toThrow()
  })

  it('would fail that validation with a wrong type or a missing field', () => {
    const bad = structuredClone(cron) as unknown as {spec: Record<string, unknown>}
    bad.spec.concurrencyPolicy = 'Never'
    expect(() => new CronJob(bad as unknown as typeof cron).validate()).toThrow(/concurrencyPolicy/)
    delete bad.spec.jobTemplate
    expect(() => new CronJob(bad as unknown as typeof cron).validate()).toThrow(/jobTemplate/)
  })

  it('mount the SSH key owner-only and never run overlapping audits', () => {
    const text = JSON.stringify(cron)
    expect(text).toContain('"defaultMode":256')
    expect(cron?.spec?.concurrencyPolicy).toBe('Forbid')
  })

  it('run a command line hacheck accepts', () => {
    const c = cron?.spec?.jobTemplate.spec?.template.spec?.containers[0]
    const args = (c?.args ?? []).filter(
      (a, i, all) => a !== '--push-gateway' && all[i - 1] !== '--push-gateway',
    )
    expect(c?.args).toContain('--push-gateway')
    const out = tmp()
    const r = runOnCaptureFleet(args, {
      '/etc/hacheck/fleet': captureFleet(),
      '/var/lib/hacheck/history': join(out, 'h'),
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('2 clusters: 1 passed, 1 failed')
  })
})

describe('the Containerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Containerfile'), 'utf8')

  it('passes the dockerfile-utils linter', () => {
    expect(lintDockerfile(text)).toEqual([])
    expect(lintDockerfile('FROM node\nRUNN true\n').map((d) => d.message)).toEqual([
      'Unknown instruction: RUNN',
    ])
  })

  it('copies files that exist, and every part of the package into the image', () => {
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(/\s+/),
    )
    expect(sources.length).toBeGreaterThan(3)
    for (const s of sources) expect(existsSync(join(repoRoot, s)), s).toBe(true)
    const files = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {files: string[]})
      .files
    const copied = [...text.matchAll(/^COPY --from=build (.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(/\s+/),
    )
    for (const f of files) expect(copied, f).toContain(`/src${f}`)
  })
})
