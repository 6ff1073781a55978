/**
 * The Pushgateway push against a real Prometheus Pushgateway (Debian package
 * prometheus-pushgateway, in lab/packages.txt) on 127.0.0.1: the grouping key
 * in the path (base64 for values with a slash), PUT replacing the group, the
 * audit command's --push-gateway, and clear failures.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {IncompleteError} from '../../../src/core/errors.js'
import {pushMetrics, pushUrl} from '../../../src/transport/pushgateway.js'
import {freePort} from '../../support/sshd.js'
import {runCli} from '../../support/cli.js'
import {repoRoot} from '../../support/paths.js'

const BIN = '/usr/bin/prometheus-pushgateway'

describe.skipIf(!existsSync(BIN))(
  `push to a real Pushgateway${existsSync(BIN) ? '' : ' (SKIPPED: prometheus-pushgateway is not installed)'}`,
  () => {
    let gw: ChildProcess
    let url: string
    const state = mkdtempSync(join(tmpdir(), 'hacheck-push-'))

    beforeAll(async () => {
      const port = await freePort()
      url = `http://127.0.0.1:${port}`
      gw = spawn(BIN, [`--web.listen-address=127.0.0.1:${port}`], {stdio: 'ignore'})
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${url}/-/ready`)).ok) break
        } catch {
          if (i > 100) throw new Error('the pushgateway did not start')
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    })

    afterAll(() => {
      if (gw?.pid) process.kill(gw.pid, 'SIGTERM')
      rmSync(state, {recursive: true, force: true})
    })

    const scrape = async (): Promise<string> => (await fetch(`${url}/metrics`)).text()

    it('stores the pushed metrics under the job and grouping key, a slash in a value included', async () => {
      const body = '# TYPE hacheck_audit_exit_code gauge\nhacheck_audit_exit_code{cluster="prod-a"} 1\n'
      const r = await pushMetrics(body, {url, job: 'hacheck', grouping: {instance: 'eu/prod'}})
      expect(r.status).toBe(200)
      expect(r.url).toBe(`${url}/metrics/job/hacheck/instance@base64/ZXUvcHJvZA`)
      expect(await scrape()).toMatch(
        /^hacheck_audit_exit_code\{cluster="prod-a",instance="eu\/prod",job="hacheck"\} 1$/m,
      )
    })

    it('replaces the whole group with PUT: a metric no longer pushed disappears', async () => {
      await pushMetrics('# TYPE a_gauge gauge\na_gauge 1\n# TYPE b_gauge gauge\nb_gauge 2\n', {
        url,
        job: 'j',
        grouping: {instance: 'x'},
      })
      await pushMetrics('# TYPE a_gauge gauge\na_gauge 3\n', {url, job: 'j', grouping: {instance: 'x'}})
      const text = await scrape()
      expect(text).toMatch(/^a_gauge\{instance="x",job="j"\} 3$/m)
      expect(text).not.toMatch(/^b_gauge/m)
    })

    it('is what audit --push-gateway does with the run\u2019s metrics, grouped by cluster', async () => {
      const r = await runCli(
        [
          'audit',
          '--from',
          join(repoRoot, 'examples/lab-stonith-disabled'),
          '--push-gateway',
          url,
          '-q',
          '--log-file',
          'none',
          '--format',
          'json',
        ],
        {...process.env, XDG_STATE_HOME: state, HACHECK_HISTORY: ''},
      )
      expect(r.code).toBe(1)
      expect(r.stderr).toBe('')
      const text = await scrape()
      expect(text).toContain(
        'hacheck_check_status{check="fencing.enabled",cluster="lab",instance="lab",job="hacheck",severity="critical",status="fail"} 1',
      )
    })

    it('fails with a clear error (exit 3) when nothing listens, and when the gateway refuses the body', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`
      await expect(pushMetrics('x 1\n', {url: closed, job: 'j', timeoutMs: 3000})).rejects.toThrow(
        new RegExp(`^push to ${closed}/metrics/job/j failed: fetch failed \\(.*ECONNREFUSED`),
      )
      const err = await pushMetrics('not a metric line\n', {url, job: 'j'}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(IncompleteError)
      expect((err as Error).message).toMatch(/was refused: HTTP 400/)
      expect(() => pushUrl({url: 'pushgateway:9091', job: 'j'})).toThrow(
        /expected an http:\/\/ or https:\/\/ URL/,
      )
    })
  },
)
