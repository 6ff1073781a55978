/**
 * Files and capture directories as hostile input, through the commands as an
 * operator runs them (from the sources): every case ends in a clear message
 * naming the path and an exit code of the documented set, never "internal
 * error", never a hang, never a local file's content in a report. Captures
 * are damaged copies of the lab's real captures (examples/).
 */
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'

import {checkOutputFile, makeDirs, readInputText} from '../../../src/cli/files.js'
import {hacheck as run, type CliResult} from '../../support/source-cli.js'
import {repoRoot} from '../../support/paths.js'

const dir = mkdtempSync(join(tmpdir(), 'hacheck-hostile-files-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const hacheck = (args: string[]): Promise<CliResult> =>
  run(args, {
    env: {XDG_STATE_HOME: join(dir, 'state'), HACHECK_INVENTORY: '', HACHECK_HISTORY: '', COLUMNS: '100'},
  })

const lab = join(repoRoot, 'examples', 'lab-healthy')
function capture(name: string, damage: (d: string) => void): string {
  const d = join(dir, name)
  cpSync(lab, d, {recursive: true})
  damage(d)
  return d
}
function editManifest(
  d: string,
  edit: (m: Record<string, unknown> & {inventory: {nodes: unknown[]}}) => void,
): void {
  const f = join(d, 'capture.json')
  const m = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> & {inventory: {nodes: unknown[]}}
  edit(m)
  writeFileSync(f, JSON.stringify(m))
}
const SECRET = 'hacheck-hostile-local-secret-5f1c'

describe('the files an operator names', {timeout: 180_000}, () => {
  it('creates directories one level at a time, and fails clearly below /proc instead of spinning', () => {
    makeDirs(join(dir, 'a', 'b', 'c'))
    expect(() => makeDirs('/proc/hacheck-no/such/dir')).toThrow(
      /\/proc\/hacheck-no\/such\/dir: cannot create the directory/,
    )
  })

  it('refuses an output that is a directory, in a missing directory, or through a file, naming the path', () => {
    expect(() => checkOutputFile(dir)).toThrow(/is a directory/)
    expect(() => checkOutputFile(join(dir, 'nope', 'x.json'))).toThrow(/the directory .*nope does not exist/)
    writeFileSync(join(dir, 'plain'), '')
    expect(() => checkOutputFile(join(dir, 'plain', 'x.json'))).toThrow(/x\.json: cannot write the output/)
  })

  it('refuses to read a directory, a device or a file over the size limit', async () => {
    await expect(readInputText(dir)).rejects.toThrow(/is a directory/)
    await expect(readInputText('/dev/zero')).rejects.toThrow(/not a regular file/)
    writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(2048))
    await expect(readInputText(join(dir, 'big.yaml'), 1024)).rejects.toThrow(/over the 0\.0 MiB limit/)
  })

  it('exits 2 naming the path for -o a directory, a missing directory and a full disk; /dev/full stays a device', async () => {
    // /dev/full is shared by the machine: checked only while it is the device (a rename over it, as root, replaces it).
    const isDevice = async (): Promise<boolean> =>
      (await execa('stat', ['-c', '%F', '/dev/full'])).stdout === 'character special file'
    const device = await isDevice()
    if (!device)
      console.warn('/dev/full is not the character device on this machine: its case is not checked')
    for (const [out, why] of [
      [dir, /is a directory/],
      [join(dir, 'missing', 'a.json'), /does not exist/],
      ...(device ? [['/dev/full', /no space left on device/] as const] : []),
    ] as const) {
      const r = await hacheck(['audit', '--from', lab, '-q', '--log-file', 'none', '-f', 'json', '-o', out])
      expect(r.stderr).toMatch(why)
      expect(r.stderr).not.toMatch(/internal error/)
      expect(r.code).toBe(2)
    }
    if (device) expect(await isDevice()).toBe(true)
  })

  it('refuses inventory import --output a directory before reading anything', async () => {
    const ini = join(repoRoot, 'test', 'fixtures', 'inventory', 'ansible', 'edge.ini')
    const r = await hacheck(['inventory/import', '--ansible', ini, '--output', dir, '--log-file', 'none'])
    expect(r.stderr).toMatch(/cannot write the output: is a directory/)
    expect(r.code).toBe(2)
  })

  it('goes on with a warning when the log file cannot be created below /proc', async () => {
    const r = await hacheck(['checks/list', '--log-file', '/proc/hacheck-no/such/x.log', '-q'])
    expect(r.stderr).toMatch(/warning: --log-file \/proc\/hacheck-no\/such\/x\.log: not logging to it/)
    expect(r.code).toBe(0)
  })

  it('rejects saved reports that are null, miss fields, or carry an unknown status, naming the problem', async () => {
    const saved = JSON.parse(
      readFileSync(join(repoRoot, 'test', 'fixtures', 'reports', 'audit-run.json'), 'utf8'),
    ) as {results: {status: string}[]}
    const cases: [string, string, RegExp][] = [
      ['null.json', 'null', /not a saved hacheck run/],
      ['missing.json', '{"kind":"audit","schemaVersion":1}', /missing .*"results"/],
      ['notarray.json', JSON.stringify({...saved, results: 3}), /results: must be array/],
      [
        'status.json',
        JSON.stringify({...saved, results: [{...saved.results[0], status: 'great'}]}),
        /results\[0\]\.status: must be one of pass, fail/,
      ],
    ]
    for (const [name, text, why] of cases) {
      writeFileSync(join(dir, name), text)
      const r = await hacheck(['report/render', join(dir, name)])
      expect(r.stderr).toMatch(why)
      expect(r.stderr).not.toMatch(/internal error/)
      expect(r.code).toBe(2)
    }
  })
})

describe('a capture directory, as untrusted input', {timeout: 180_000}, () => {
  writeFileSync(join(dir, 'secret.txt'), `${SECRET}\n`)

  it('refuses node names that are paths, nodes that are not mappings, and a missing cluster, one line each', async () => {
    const d = capture('names', (c) =>
      editManifest(c, (m) => {
        ;(m.inventory.nodes[0] as {name: string}).name = '../../../secret'
        m.inventory.nodes[1] = 'n2'
        m.inventory.nodes[2] = 7
        delete (m.inventory as {cluster?: unknown}).cluster
      }),
    )
    const r = await hacheck(['audit', '--from', d, '-q', '--log-file', 'none'])
    expect(r.stderr).toMatch(
      /inventory\.nodes\[0\]\.name: expected a node name .*found a string \("\.\.\/\.\.\/\.\.\/secret"\)/,
    )
    expect(r.stderr).toMatch(/inventory\.nodes\[1\]: expected a mapping .*found a string/)
    expect(r.stderr).toMatch(/inventory\.nodes\[2\]: expected a mapping .*found a number \(7\)/)
    expect(r.stderr).toMatch(/inventory\.cluster: expected a mapping with name and stack, found nothing/)
    expect(r.code).toBe(2)
  })

  it('refuses a symbolic link out of the capture instead of copying a local file into the report', async () => {
    const d = capture('link', (c) => {
      rmSync(join(c, 'n1', 'crm-mon.out'))
      symlinkSync(join(dir, 'secret.txt'), join(c, 'n1', 'crm-mon.out'))
    })
    const r = await hacheck(['audit', '--from', d, '-q', '--log-file', 'none', '-f', 'json'])
    expect(r.stdout + r.stderr).not.toContain(SECRET)
    expect(r.stdout).toMatch(/crm-mon\.out: refused: it leads out of the capture/)
    expect(r.code).toBe(2)
  })

  it('refuses an exit-codes.json that is not a mapping of exit codes', async () => {
    const d = capture('codes', (c) => writeFileSync(join(c, 'n2', 'exit-codes.json'), '[1, 2]'))
    const r = await hacheck(['audit', '--from', d, '-q', '--log-file', 'none'])
    expect(r.stderr).toMatch(/n2\/exit-codes\.json: expected a mapping of gatherer id to exit code/)
    expect(r.code).toBe(2)
  })

  it('judges a crm_mon document cut off mid-way as could-not-tell (exit 3), never as a pass', async () => {
    const d = capture('cut', (c) => {
      const f = join(c, 'n1', 'crm-mon.out')
      writeFileSync(f, readFileSync(f, 'utf8').slice(0, 3000))
    })
    const r = await hacheck(['audit', '--from', d, '-q', '--log-file', 'none', '-f', 'json'])
    const run = JSON.parse(r.stdout) as {results: {id: string; status: string; message: string}[]}
    expect(run.results.find((x) => x.id === 'pacemaker.nodes-online')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/crm-mon output on n1 not understood: .*malformed XML/),
    })
    expect(r.code).toBe(3)
  })

  it('reports a stonith-timeout it cannot read as could-not-tell, never as the 60 s default', async () => {
    const d = capture('stonith', (c) => {
      for (const n of ['n1', 'n2', 'n3']) {
        const f = join(c, n, 'cibadmin.out')
        const cib = readFileSync(f, 'utf8')
        const set = cib.replace(/(name="stonith-timeout" value=")60s"/, '$1sixty"')
        expect(set).not.toBe(cib)
        writeFileSync(f, set)
      }
    })
    mkdirSync(join(dir, 'state'), {recursive: true})
    const r = await hacheck(['audit', '--from', d, '-q', '--log-file', 'none', '-f', 'json'])
    const run = JSON.parse(r.stdout) as {results: {id: string; status: string; message: string}[]}
    expect(run.results.find((x) => x.id === 'fencing.timeout')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/cannot read stonith-timeout "sixty" as a duration/),
    })
    expect(r.code).toBe(3)
  })
})
