import type {Inventory, NodeSpec} from '../core/types.js'

/**
 * A gatherer is one read-only shell snippet plus a pure parser of its output.
 * All gatherers a node needs are concatenated into ONE script (with section
 * markers) and run in one SSH round trip; see gather.ts.
 */

/** What one gatherer's snippet produced on one node (stdout and stderr kept apart). */
export interface GathererOutput {
  stdout: string
  stderr: string
  exitCode: number | null
}

export type FactErrorCode =
  'unreachable' | 'timeout' | 'command-failed' | 'not-installed' | 'parse-error' | 'not-applicable'

export interface FactError {
  code: FactErrorCode
  message: string
  /**
   * For a node hacheck could not examine at all: why, in words every report uses
   * (refused, no-route, timeout, auth, host-key, sudo, disconnected, dns, unreachable).
   */
  reason?: string
}

export interface Provenance {
  node: string
  gatherer: string
  /** The command shown as evidence (commandOf: never contains secrets). */
  command: string
  exitCode: number | null
}

export type Fact<T> =
  {ok: true; value: T; source: Provenance} | {ok: false; error: FactError; source: Provenance}

export interface Gatherer<T> {
  /** Named after the tool: 'corosync-cmapctl', 'crm-mon', 'cibadmin'. */
  id: string
  description: string
  /**
   * Bash snippet, read-only, run with LC_ALL=C. It may read files and run tools,
   * never change anything. Keep it short: it is shown as evidence.
   */
  script: string
  /**
   * The command that produces the fact, in one line, as evidence shows it (the script's
   * framing, loops and fallbacks left out). Default: the script itself when it is one line.
   */
  command?: string
  /** Programs the snippet needs; if the first one is absent the fact is `not-installed`, not a crash. */
  requires?: readonly string[]
  /** Exit codes that still mean "output is valid" (default [0]). */
  okExitCodes?: readonly number[]
  /**
   * What it means when the snippet exits with ABSENT_RC: the thing it reads is
   * not on this node (e.g. 'no /etc/corosync/corosync.conf'). The fact is then
   * `not-applicable` with this message, not a failure. Unset: ABSENT_RC is an
   * ordinary failure code.
   */
  whenAbsent?: string
  /**
   * Set for probes that run on the CONTROLLER instead of in the node script
   * (e.g. ipmitool against the node's BMC, a TLS handshake to the VIP). Returns
   * the local command, or a reason why it does not apply to this node. Secrets
   * go in `env` only (never argv) and are registered with the logger.
   */
  controller?(
    node: NodeSpec,
    inventory: Inventory,
  ): {argv: string[]; env?: Record<string, string>} | {notApplicable: string}
  /** Pure: parses the captured output. Throws ParseError on unexpected text. */
  parse(out: GathererOutput): T
}

/**
 * Exit code a snippet uses to say "what I read is absent on this node" (no such
 * file, nothing configured); it prints nothing then. 96 is used by none of the
 * tools we run (sysexits 64-78, Pacemaker CRM_EX 100-127, shell 126/127, LSB 0-7).
 */
export const ABSENT_RC = 96

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`)
    this.name = 'ParseError'
  }
}

/**
 * The stdout of a tool that prints whole lines (corosync-cmapctl, -cfgtool,
 * -quorumtool, our own line-per-record snippets): its last line always ends
 * with a newline, so text that does not was cut inside a line (a tool killed
 * mid-write, an output cap) and a value in it may be half a value (an address
 * `198.18.1` for `198.18.1.11`). A ParseError then, never a shorter value read
 * as the whole. A cut exactly at a line end cannot be seen here; the gather
 * script's framing sees it (gather-script.ts: no end marker, exit unknown).
 */
export function wholeLines(stdout: string): string {
  if (stdout !== '' && !stdout.endsWith('\n')) {
    const tail = stdout.slice(stdout.lastIndexOf('\n') + 1)
    throw new ParseError(
      `output cut short: the last line has no newline (${JSON.stringify(tail.length > 40 ? `…${tail.slice(-40)}` : tail)})`,
    )
  }
  return stdout
}

/** The one line evidence shows for what a gatherer ran. */
export function commandOf(g: Pick<Gatherer<unknown>, 'command' | 'script'>): string {
  return g.command ?? g.script.split('\n')[0] ?? g.script
}

export function defineGatherer<T>(g: Gatherer<T>): Gatherer<T> {
  return g
}
