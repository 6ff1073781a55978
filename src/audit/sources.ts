/**
 * Fact sources: live over SSH (one script per node) and a saved capture.
 *
 * Capture layout (written by `hacheck facts --save DIR`, read by `audit --from DIR`):
 *   DIR/capture.json            inventory (no secrets, no key paths), per-node reachability, hacheck version
 *   DIR/<node>/<gatherer>.out   stdout, byte-exact (secrets scrubbed)
 *   DIR/<node>/<gatherer>.err   stderr, only when not empty
 *   DIR/<node>/exit-codes.json  { "<gatherer>": <exit code or null> }
 *   DIR/history.json            hacheck's chaos runs against this very cluster (by identity) when captured
 * Plain files, so a capture can be read, diffed and committed as a fixture.
 */
import {realpath, writeFile} from 'node:fs/promises'
import {join, resolve, sep} from 'node:path'

import {fileError, MAX_INPUT_BYTES, readInputText} from '../cli/files.js'
import {errorMessage, HacheckError, InputError} from '../core/errors.js'
import {scrubSecrets} from '../core/secrets.js'
import type {ChaosHistoryEntry} from '../core/results.js'
import type {CommandResult, CommandRunner, Inventory, NodeSpec} from '../core/types.js'
import type {FactError, GathererOutput} from '../facts/gatherer.js'
import {checkExitCodes, checkManifest, NODE_NAME, type CaptureManifest} from './capture-manifest.js'
import {reachReason} from './reach.js'
import type {AnyGatherer, FactSource, GatherOutcome, NodeGather} from './facts.js'
import {composeGatherScript, splitGatherOutput} from './gather-script.js'
import {makeDirs} from '../cli/files.js'

export type LocalRun = (
  argv: string[],
  opts: {env?: Record<string, string>; timeoutMs?: number},
) => Promise<CommandResult>

/** Maps a transport error (anything with a `code`) to a fact error. */
function transportFactError(err: unknown): FactError {
  const code = (err as {code?: unknown}).code
  const message = errorMessage(err)
  return {
    code: code === 'timeout' ? 'timeout' : 'unreachable',
    message,
    reason: reachReason(code, message),
  }
}

export class LiveFactSource implements FactSource {
  readonly mode = 'live' as const

  constructor(
    private readonly runner: CommandRunner,
    private readonly local: LocalRun,
    private readonly inventory: Inventory,
    private readonly opts: {gatherTimeoutMs: number; perGathererTimeoutS: number},
  ) {}

  async gatherNode(node: NodeSpec, gatherers: AnyGatherer[]): Promise<NodeGather> {
    const t0 = performance.now()
    const gs = composeGatherScript(gatherers, {perGathererTimeoutS: this.opts.perGathererTimeoutS})
    try {
      const res = await this.runner.run(node, {
        script: gs.script,
        sudo: true,
        timeoutMs: this.opts.gatherTimeoutMs,
      })
      const durationMs = performance.now() - t0
      if (res.timedOut) {
        return {
          ok: false,
          durationMs,
          error: {
            code: 'timeout',
            message: `gathering facts on ${node.name} took longer than ${this.opts.gatherTimeoutMs} ms`,
          },
        }
      }
      return {ok: true, durationMs, outputs: splitGatherOutput(res.stdout, res.stderr, gs.nonce)}
    } catch (err) {
      return {ok: false, durationMs: performance.now() - t0, error: transportFactError(err)}
    } finally {
      // One round trip per node: its connection is not needed any more.
      this.runner.release?.(node)
    }
  }

  async gatherController(node: NodeSpec, g: AnyGatherer): Promise<GathererOutput | {notApplicable: string}> {
    const spec = g.controller?.(node, this.inventory)
    if (!spec) return {notApplicable: `${g.id} is not a controller-side probe`}
    if ('notApplicable' in spec) return spec
    try {
      const res = await this.local(spec.argv, {
        env: spec.env,
        timeoutMs: this.opts.perGathererTimeoutS * 1000,
      })
      return {stdout: res.stdout, stderr: res.stderr, exitCode: res.timedOut ? 124 : res.exitCode}
    } catch (err) {
      // The program is missing on the controller (ENOENT) or could not start.
      const missing = (err as {code?: string}).code === 'ENOENT' || /ENOENT|not found/.test(errorMessage(err))
      return {stdout: '', stderr: `${spec.argv[0]}: ${errorMessage(err)}`, exitCode: missing ? 127 : 1}
    }
  }

  async close(): Promise<void> {
    await this.runner.close()
  }
}

/** The largest file of a capture read (one gatherer's output of one node). */
export const MAX_CAPTURED_OUTPUT_BYTES = 16 * MAX_INPUT_BYTES

export type {CaptureManifest} from './capture-manifest.js'

/** Replays a capture directory through the same code path as a live run. */
export class CaptureFactSource implements FactSource {
  readonly mode = 'capture' as const

  private constructor(
    readonly dir: string,
    readonly manifest: CaptureManifest,
  ) {}

  static async open(dir: string): Promise<CaptureFactSource> {
    const abs = resolve(dir)
    const file = join(abs, 'capture.json')
    let text: string
    try {
      text = await readInputText(file)
    } catch (err) {
      if ((err as {code?: string}).code === 'ENOENT' || (err as {code?: string}).code === 'ENOTDIR')
        throw new InputError(
          `${file}: not a hacheck capture (no capture.json); create one with: hacheck facts -i INVENTORY --save ${dir}`,
        )
      throw new InputError(`${file}: cannot read the capture: ${errorMessage(err)}`)
    }
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (err) {
      throw new InputError(`${file}: invalid JSON: ${errorMessage(err)}`)
    }
    const manifest = checkManifest(data, file)
    // Files are read only below the capture's real path: a symbolic link out of it is refused.
    return new CaptureFactSource(await realpath(abs), manifest)
  }

  inventory(): Inventory {
    return {...this.manifest.inventory, file: join(this.dir, 'capture.json')}
  }

  /** When the facts were read (a capture's checks are judged as of then). */
  capturedAt(): Date {
    const t = Date.parse(this.manifest.capturedAt)
    return Number.isNaN(t) ? new Date() : new Date(t)
  }

  /** The chaos runs saved with the capture; undefined when it has none (captures of hacheck < 0.2). */
  async history(): Promise<ChaosHistoryEntry[] | undefined> {
    const file = join(this.dir, 'history.json')
    const text = await this.readInside('history.json')
    if (text === undefined) return undefined
    try {
      const data = JSON.parse(text) as unknown
      if (!Array.isArray(data)) throw new Error('expected a JSON array of chaos run summaries')
      return data as ChaosHistoryEntry[]
    } catch (err) {
      throw new InputError(`${file}: ${errorMessage(err)}`)
    }
  }

  /**
   * A file of the capture, or undefined when it is missing. Refused (InputError): a path whose real
   * location is outside the capture (a symbolic link out), what is not a regular file, a file over
   * MAX_CAPTURED_OUTPUT_BYTES.
   */
  private async readInside(rel: string): Promise<string | undefined> {
    const file = join(this.dir, rel)
    let real: string
    try {
      real = await realpath(file)
    } catch (err) {
      if ((err as {code?: string}).code === 'ENOENT') return undefined
      throw new InputError(`${file}: cannot read the capture file: ${errorMessage(err)}`)
    }
    if (!real.startsWith(this.dir + sep))
      throw new InputError(`${file}: refused: it leads out of the capture (to ${real})`, {
        code: 'invalid-capture',
      })
    try {
      return await readInputText(real, MAX_CAPTURED_OUTPUT_BYTES)
    } catch (err) {
      throw new InputError(`${file}: cannot read the capture file: ${errorMessage(err)}`, {
        code: 'invalid-capture',
      })
    }
  }

  /** Each node's exit-codes.json, read and checked once (undefined when missing). */
  private readonly codes = new Map<string, Promise<Record<string, number | null> | undefined>>()

  private exitCodes(node: string): Promise<Record<string, number | null> | undefined> {
    let p = this.codes.get(node)
    if (!p) {
      const file = join(this.dir, node, 'exit-codes.json')
      p = this.readInside(join(node, 'exit-codes.json')).then((text) => {
        if (text === undefined) return undefined
        let data: unknown
        try {
          data = JSON.parse(text)
        } catch (err) {
          throw new InputError(`${file}: invalid JSON: ${errorMessage(err)}`)
        }
        return checkExitCodes(data, file)
      })
      this.codes.set(node, p)
    }
    return p
  }

  private async readOutput(node: string, id: string): Promise<GathererOutput | undefined> {
    // Names were checked with the manifest; a name from elsewhere is never joined to a path.
    if (!NODE_NAME.test(node)) return undefined
    const codes = await this.exitCodes(node)
    if (!codes || !Object.hasOwn(codes, id)) return undefined
    const stdout = (await this.readInside(join(node, `${id}.out`))) ?? ''
    const stderr = (await this.readInside(join(node, `${id}.err`))) ?? ''
    return {stdout, stderr, exitCode: codes[id] ?? null}
  }

  async gatherNode(node: NodeSpec, gatherers: AnyGatherer[]): Promise<NodeGather> {
    const state = Object.hasOwn(this.manifest.nodes, node.name) ? this.manifest.nodes[node.name] : undefined
    if (state && !state.reachable) {
      return {
        ok: false,
        durationMs: 0,
        error: state.error ?? {code: 'unreachable', message: `${node.name} was unreachable when captured`},
      }
    }
    const outputs = new Map<string, GathererOutput>()
    const read = await Promise.all(gatherers.map((g) => this.readOutput(node.name, g.id)))
    for (const [i, g] of gatherers.entries()) {
      const out = read[i]
      // A gatherer added after the capture was taken: say so rather than guess.
      outputs.set(
        g.id,
        out ?? {
          stdout: '',
          stderr: `${g.id} is not in this capture (taken by an older hacheck?)`,
          exitCode: null,
        },
      )
    }
    return {ok: true, durationMs: 0, outputs}
  }

  async gatherController(node: NodeSpec, g: AnyGatherer): Promise<GathererOutput | {notApplicable: string}> {
    return (
      (await this.readOutput(node.name, g.id)) ?? {notApplicable: `${g.id} was not captured for ${node.name}`}
    )
  }

  async close(): Promise<void> {}
}

/** Inventory as stored in a capture: no file path, no key or known_hosts paths, no password values. */
export function sanitizedInventory(inv: Inventory): Omit<Inventory, 'file'> {
  return {
    cluster: inv.cluster,
    networks: inv.networks,
    nodes: inv.nodes.map((n) => ({
      name: n.name,
      host: n.host,
      ...(n.port ? {port: n.port} : {}),
      roles: n.roles,
      ssh: {user: n.ssh.user},
      ...(n.bmc ? {bmc: n.bmc} : {}),
      ...(n.labels ? {labels: n.labels} : {}),
    })),
  }
}

export async function saveCapture(
  dir: string,
  inv: Inventory,
  outcome: GatherOutcome,
  opts: {
    version: string
    scrub?: (gathererId: string, stdout: string) => string
    /** Chaos runs against this cluster, saved for `audit --from` (items 6 and 7). */
    history?: ChaosHistoryEntry[]
  },
): Promise<void> {
  try {
    await writeCapture(dir, inv, outcome, opts)
  } catch (err) {
    if (err instanceof HacheckError) throw err
    // A full disk or an unwritable directory: the path and the reason, exit 2 (never "internal error").
    throw fileError(dir, err, 'save the capture')
  }
}

async function writeCapture(
  dir: string,
  inv: Inventory,
  outcome: GatherOutcome,
  opts: Parameters<typeof saveCapture>[3],
): Promise<void> {
  const abs = resolve(dir)
  makeDirs(abs)
  const nodes: CaptureManifest['nodes'] = {}
  for (const n of inv.nodes) {
    if (!outcome.facts.has(n.name)) continue
    const err = outcome.nodeErrors.get(n.name)
    nodes[n.name] = err ? {reachable: false, error: err} : {reachable: true}
    const raw = outcome.raw.get(n.name)
    if (!raw || raw.size === 0) continue
    const base = join(abs, n.name)
    makeDirs(base)
    const codes: Record<string, number | null> = {}
    for (const [id, out] of [...raw].sort(([a], [b]) => a.localeCompare(b))) {
      codes[id] = out.exitCode
      const stdout = scrubSecrets(opts.scrub ? opts.scrub(id, out.stdout) : out.stdout)
      await writeFile(join(base, `${id}.out`), stdout)
      if (out.stderr) await writeFile(join(base, `${id}.err`), scrubSecrets(out.stderr))
    }
    await writeFile(join(base, 'exit-codes.json'), JSON.stringify(codes, null, 2) + '\n')
  }
  const manifest: CaptureManifest = {
    schemaVersion: 1,
    capturedAt: new Date().toISOString(),
    hacheck: opts.version,
    inventory: sanitizedInventory(inv),
    nodes,
  }
  await writeFile(join(abs, 'capture.json'), JSON.stringify(manifest, null, 2) + '\n')
  if (opts.history) {
    const entries = opts.history.map(({file: _file, ...e}) => e)
    await writeFile(join(abs, 'history.json'), JSON.stringify(entries, null, 2) + '\n')
  }
}
