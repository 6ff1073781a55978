/**
 * The raw ssh2 floor hacheck is measured against: the least a Node program
 * must do to run one script on every node, with the same ssh2 as hacheck and
 * its fastest sane settings. Per node: one connection (Nagle off, ssh2's
 * default curve25519 key exchange, the host key checked against a map read
 * once, the client key parsed once), one exec of the very command line and
 * stdin hacheck sends, stdout and stderr kept in memory and decoded; nodes in
 * parallel with the same concurrency as hacheck. No framework, no logging, no
 * parsing. Prints one summary line and exits 1 if a node failed (so a broken
 * fleet never passes for a fast floor).
 *
 *   node floor.mjs JOB.json   (JOB: {hosts, user, identityFile, knownHosts, command, stdin, concurrency})
 *
 * bench/bench.ts transpiles this file to plain JavaScript and runs it with
 * node itself: no tsx loader in the measured process.
 */
import {readFileSync} from 'node:fs'

import ssh2, {type ParsedKey, type PublicKeyAuthMethod} from 'ssh2'

interface Job {
  hosts: string[]
  user: string
  identityFile: string
  knownHosts: string
  command: string
  stdin: string
  concurrency: number
}

const job = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Job
const parsed = ssh2.utils.parseKey(readFileSync(job.identityFile))
if (parsed instanceof Error) throw parsed
const key: ParsedKey = parsed
const known = new Map<string, Buffer>()
for (const line of readFileSync(job.knownHosts, 'utf8').split('\n')) {
  const [host, , b64] = line.split(' ')
  if (host && b64) known.set(host, Buffer.from(b64, 'base64'))
}

function runOne(host: string): Promise<{exit: number | null; bytes: number}> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client()
    const want = known.get(host)
    client.on('connect', () => client.setNoDelay(true))
    client.on('error', reject)
    client.on('ready', () => {
      client.exec(job.command, (err, ch) => {
        if (err) return reject(err)
        const out: Buffer[] = []
        const errOut: Buffer[] = []
        let exit: number | null = null
        ch.on('data', (d: Buffer) => out.push(d))
        ch.stderr.on('data', (d: Buffer) => errOut.push(d))
        ch.on('exit', (code: number | null) => (exit = code))
        ch.on('close', () => {
          const text = Buffer.concat(out).toString('utf8') + Buffer.concat(errOut).toString('utf8')
          client.end()
          resolve({exit, bytes: text.length})
        })
        ch.end(job.stdin)
      })
    })
    client.connect({
      host,
      port: 22,
      username: job.user,
      // A parsed key (ssh2 would parse a `privateKey` buffer again on every connection).
      authHandler: [{type: 'publickey', username: job.user, key} as PublicKeyAuthMethod],
      readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => want !== undefined && want.equals(key),
    })
  })
}

let next = 0
let failed = 0
let bytes = 0
async function worker(): Promise<void> {
  while (next < job.hosts.length) {
    const host = job.hosts[next++] as string
    try {
      const r = await runOne(host)
      bytes += r.bytes
      if (r.exit !== 0) failed++
    } catch (err) {
      failed++
      console.error(`${host}: ${(err as Error).message}`)
    }
  }
}
await Promise.all(Array.from({length: Math.min(job.concurrency, job.hosts.length)}, worker))
console.log(`floor: ${job.hosts.length} nodes, ${failed} failed, ${bytes} characters of output`)
process.exitCode = failed ? 1 : 0
