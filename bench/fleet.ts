/**
 * Benchmark: `hacheck audit` (one SSH connection and one script per node,
 * nodes in parallel) against parallel-ssh running the very same gather script,
 * on N sshd-only namespace nodes. Runs alternate tool by tool; medians of
 * wall time and controller CPU (user+sys of the tool's process tree). Nodes:
 * netns hkb-<i>, bridge hkb-br (198.18.8.1/22 on the host), sshd in its own
 * PID namespace. Everything is torn down at the end (and before, if stale).
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {planFromChecklist, loadChecklist} from '../src/audit/checklist.js'
import {buildGatherPlan} from '../src/audit/engine.js'
import {composeGatherScript} from '../src/audit/gather-script.js'
import {catalog} from '../src/checks/index.js'
import type {Inventory} from '../src/core/types.js'

const PREFIX = 'hkb-'
const BRIDGE = `${PREFIX}br`
const sizes = (process.argv.find((a) => a.startsWith('--sizes='))?.slice(8) ?? '10,50').split(',').map(Number)
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5)
const repo = new URL('..', import.meta.url).pathname

const sh = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, {encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe']})
const quiet = (cmd: string, args: string[]): void => {
  try {
    execFileSync(cmd, args, {stdio: 'ignore'})
  } catch {
    /* already gone */
  }
}
const addr = (i: number): string => `198.18.${8 + Math.floor((10 + i) / 256)}.${(10 + i) % 256}`

function teardown(pids: number[]): void {
  for (const p of pids) quiet('kill', ['-KILL', String(p)])
  const ns = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(PREFIX))
  for (const n of ns) quiet('ip', ['netns', 'del', n])
  quiet('ip', ['link', 'del', BRIDGE])
}

function fleet(n: number, dir: string): {pids: number[]; hosts: string[]} {
  sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge'])
  sh('ip', ['addr', 'add', '198.18.8.1/22', 'dev', BRIDGE])
  sh('ip', ['link', 'set', BRIDGE, 'up'])
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')))
  const pids: number[] = []
  const hosts: string[] = []
  const known: string[] = []
  for (let i = 0; i < n; i++) {
    const ns = `${PREFIX}${i}`
    const a = addr(i)
    const nd = join(dir, `n${i}`)
    mkdirSync(nd)
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(nd, 'host')])
    known.push(`${a} ${readFileSync(join(nd, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`)
    writeFileSync(
      join(nd, 'sshd_config'),
      `ListenAddress ${a}\nHostKey ${join(nd, 'host')}\nAuthorizedKeysFile ${join(dir, 'authorized_keys')}\nPidFile ${join(nd, 'pid')}\nUsePAM no\nPermitRootLogin prohibit-password\nStrictModes no\nMaxStartups 200\nSetEnv SHLVL=1\n`,
    )
    sh('ip', ['netns', 'add', ns])
    sh('ip', ['link', 'add', `${PREFIX}v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
    sh('ip', ['link', 'set', `${PREFIX}v${i}`, 'master', BRIDGE, 'up'])
    sh('ip', ['-n', ns, 'addr', 'add', `${a}/22`, 'dev', 'eth0'])
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    mkdirSync('/run/sshd', {recursive: true})
    const p = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'unshare',
        '--pid',
        '--fork',
        '--mount-proc',
        '--kill-child',
        '/usr/sbin/sshd',
        '-D',
        '-e',
        '-f',
        join(nd, 'sshd_config'),
      ],
      {stdio: 'ignore', detached: true},
    )
    p.unref()
    if (p.pid) pids.push(p.pid)
    hosts.push(a)
  }
  writeFileSync(join(dir, 'known_hosts'), known.join('\n') + '\n')
  return {pids, hosts}
}

function waitSsh(hosts: string[], dir: string): void {
  for (const h of hosts) {
    for (let t = 0; ; t++) {
      try {
        sh('ssh', [
          '-i',
          join(dir, 'id'),
          '-o',
          `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
          '-o',
          'BatchMode=yes',
          '-o',
          'ConnectTimeout=2',
          `root@${h}`,
          'true',
        ])
        break
      } catch (err) {
        if (t > 50) throw err
        execFileSync('sleep', ['0.2'])
      }
    }
  }
}

/** Wall and CPU (user+sys of the whole process tree) of one command, from GNU time's last stderr line. */
function measure(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): {wall: number; cpu: number} {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', cmd, ...args], {
    encoding: 'utf8',
    env,
    input,
    stdio: ['pipe', 'ignore', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  })
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? ''
  const [wall, user, sys] = last.split(' ').map(Number)
  if (![wall, user, sys].every((x) => Number.isFinite(x)))
    throw new Error(`${cmd} failed (exit ${r.status}): ${(r.stderr ?? '').slice(-500)}`)
  return {wall: wall as number, cpu: (user as number) + (sys as number)}
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench needs root (network namespaces)')
  teardown([])
  const rows: string[] = []
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'hacheck-bench-'))
    const {pids, hosts} = fleet(n, dir)
    try {
      waitSsh(hosts, dir)
      const inv: Inventory = {
        cluster: {name: 'bench', stack: 'pacemaker', objectives: {}},
        networks: {public: '198.18.8.0/22'},
        nodes: hosts.map((h, i) => ({name: `b${i}`, host: h, roles: ['cluster'], ssh: {}})),
      }
      const yaml = [
        'cluster: {name: bench, stack: pacemaker}',
        'networks: {public: 198.18.8.0/22}',
        `ssh: {user: root, identityFile: ${join(dir, 'id')}, knownHosts: ${join(dir, 'known_hosts')}}`,
        'nodes:',
        ...hosts.map((h, i) => `  - {name: b${i}, host: ${h}, roles: [cluster]}`),
      ].join('\n')
      writeFileSync(join(dir, 'inventory.yaml'), yaml + '\n')
      // The very script hacheck runs on each node (same gatherers, same framing).
      const checks = catalog()
      const planned = planFromChecklist(await loadChecklist('ha-baseline', checks), checks)
      const plan = buildGatherPlan(planned, {inventory: inv, now: new Date()})
      const script = composeGatherScript(plan.node.get('b0') ?? []).script
      writeFileSync(join(dir, 'gather.sh'), script)
      writeFileSync(join(dir, 'hosts'), hosts.map((h) => `root@${h}`).join('\n') + '\n')
      const env = {...process.env, HOME: dir, XDG_STATE_HOME: join(dir, 'state'), SSH_AUTH_SOCK: ''}
      const hk: {wall: number; cpu: number}[] = []
      const ps: {wall: number; cpu: number}[] = []
      for (let r = 0; r < RUNS; r++) {
        hk.push(
          measure(
            'node',
            [
              join(repo, 'bin', 'run.js'),
              'audit',
              '-i',
              join(dir, 'inventory.yaml'),
              '--format',
              'json',
              '-q',
              '--log-file',
              'none',
            ],
            env,
          ),
        )
        ps.push(
          measure(
            'parallel-ssh',
            [
              '-h',
              join(dir, 'hosts'),
              '-p',
              String(Math.min(n, 32)),
              '-t',
              '60',
              '-I',
              '-x',
              `-i ${join(dir, 'id')} -o UserKnownHostsFile=${join(dir, 'known_hosts')} -o BatchMode=yes`,
              'bash -s',
            ],
            env,
            script,
          ),
        )
      }
      const h = {wall: median(hk.map((x) => x.wall)), cpu: median(hk.map((x) => x.cpu))}
      const p = {wall: median(ps.map((x) => x.wall)), cpu: median(ps.map((x) => x.cpu))}
      rows.push(
        `| ${n} | ${h.wall.toFixed(2)} | ${p.wall.toFixed(2)} | **${(h.wall / p.wall).toFixed(2)}** | ${h.cpu.toFixed(2)} | ${p.cpu.toFixed(2)} | **${(h.cpu / p.cpu).toFixed(2)}** |`,
      )
      console.log(rows[rows.length - 1])
    } finally {
      teardown(pids)
      rmSync(dir, {recursive: true, force: true})
    }
  }
  const doc = `# Benchmarks

Measured by \`npm run bench\` (bench/run.sh → bench/fleet.ts) on ${new Date().toISOString().slice(0, 10)}, this machine (${sh('nproc', []).trim()} cores). N sshd-only nodes (network namespaces, own sshd and PID namespace each); both tools run the **same** gather script (the one hacheck builds for the ha-baseline checklist) on every node; medians of ${RUNS} alternating runs. \`hacheck\` is the whole \`hacheck audit --format json\` process, including start-up, parsing and evaluating every check; parallel-ssh only runs the script. Ratios < 1 mean hacheck is faster / cheaper. Read them, not the absolute seconds: the fleet shares the machine's cores with the controller. The wall time is dominated by the nodes themselves: they share the host's /usr, so the cluster tools are installed but no cluster runs, and tools such as \`crm_mon\` and \`cibadmin\` wait for a connection that never comes; both tools pay that equally. Compare controller CPU: it is what hacheck adds.

| N nodes | hacheck wall s | parallel-ssh wall s | wall ratio | hacheck CPU s | parallel-ssh CPU s | CPU ratio |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`
  writeFileSync(join(repo, 'docs', 'benchmarks.md'), doc)
  console.log(`wrote docs/benchmarks.md`)
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`)
  teardown([])
  process.exit(1)
})
