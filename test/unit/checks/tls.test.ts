import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {framedFile, runCheck, statuses} from '../../support/check-harness.js'

/** A real self-signed certificate made by openssl for `cn`, valid `days` days. */
function cert(cn: string, days: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'hacheck-tls-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'k'),
      '-out',
      join(dir, 'c'),
      '-days',
      String(days),
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${cn}`,
    ],
    {stdio: 'ignore'},
  )
  return readFileSync(join(dir, 'c'), 'utf8')
}

const A = cert('www.hacheck.lab', 365)
const B = cert('www.hacheck.lab', 365)
const SOON = cert('www.hacheck.lab', 10)
const WRONG = cert('other.example.org', 365)
const PATH = '/etc/haproxy/certs/www.hacheck.lab.pem'
const lb = (name: string, pem: string): {name: string; roles: string[]; outputs: Record<string, string>} => ({
  name,
  roles: ['lb'],
  outputs: {'tls-certs': framedFile(PATH, pem)},
})
const inventory = {
  cluster: {name: 'web', stack: 'pacemaker' as const, objectives: {}, tls: {hostnames: ['www.hacheck.lab']}},
}

describe('tls.lb-certificates (item 9)', () => {
  it('passes valid, identical certificates on both LBs', () => {
    expect(
      statuses(runCheck('tls.lb-certificates', [lb('lb1', A), lb('lb2', A)], {inventory, now: new Date()})),
    ).toEqual(['lb1:pass', 'lb2:pass', 'pass'])
  })
  it('fails when the LBs present different certificates', () => {
    const r = runCheck('tls.lb-certificates', [lb('lb1', A), lb('lb2', B)], {inventory, now: new Date()})
    expect(r[2]?.status).toBe('fail')
    expect(r[2]?.message).toMatch(/different certificates/)
  })
  it('fails a certificate that expires within 30 days', () => {
    const r = runCheck('tls.lb-certificates', [lb('lb1', SOON)], {inventory, now: new Date()})
    expect(statuses(r)).toEqual(['lb1:fail'])
    expect(r[0]?.message).toMatch(/expires in \d+ days/)
  })
  it('fails a certificate that does not cover the public hostname', () => {
    expect(
      runCheck('tls.lb-certificates', [lb('lb1', WRONG)], {inventory, now: new Date()})[0]?.message,
    ).toMatch(/no certificate covers www.hacheck.lab/)
  })
  it('fails an LB that terminates no TLS at all', () => {
    expect(
      statuses(
        runCheck(
          'tls.lb-certificates',
          [{name: 'lb1', roles: ['lb'], outputs: {'tls-certs': {stdout: '', exitCode: 96}}}],
          {inventory},
        ),
      ),
    ).toEqual(['lb1:fail'])
  })
  it('skips when the inventory has no load balancer', () => {
    expect(statuses(runCheck('tls.lb-certificates', [{name: 'n1'}], {inventory}))).toEqual(['skip'])
  })
})

describe('tls.not-on-backends (item 9)', () => {
  it('fails when a backend holds the public certificate', () => {
    const r = runCheck(
      'tls.not-on-backends',
      [
        lb('lb1', A),
        {
          name: 'app1',
          roles: ['app'],
          outputs: {'cert-files': framedFile('/srv/app/tls/www.hacheck.lab.pem', A)},
        },
      ],
      {inventory},
    )
    expect(statuses(r)).toEqual(['fail'])
    expect(r[0]?.message).toMatch(/app1 \(\/srv\/app\/tls\/www.hacheck.lab.pem\)/)
  })
  it('passes when backends hold no certificate for the public names', () => {
    const r = runCheck(
      'tls.not-on-backends',
      [lb('lb1', A), {name: 'app1', roles: ['app'], outputs: {'cert-files': {stdout: '', exitCode: 96}}}],
      {inventory},
    )
    expect(statuses(r)).toEqual(['pass'])
  })
})
