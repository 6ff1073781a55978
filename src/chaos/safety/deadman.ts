/**
 * Dead-man timers: the fault reverts itself when hacheck dies.
 *
 * Node side: a detached (`setsid`) bash loop on the node, started BEFORE the
 * fault is injected. It runs the fault's undo script when the lease file has
 * not been renewed for `leaseTimeoutS` (hacheck renews it every ~2 s over its
 * SSH connection) or at the absolute TTL, whichever comes first. It does not
 * depend on the SSH session or on hacheck: if hacheck is SIGKILLed, its
 * machine loses power or the SSH link dies, the lease stops being renewed and
 * the node heals itself. hacheck cancels it after a clean revert, by the PID
 * it recorded, after checking that PID still runs the loop for this run (the
 * run id is in its argv) — never by name.
 *
 * Controller side (BMC power faults, where the node itself is off): the same
 * loop, detached on this machine, runs `ipmitool … chassis power on`.
 *
 * Why a lease and not just a TTL: a TTL alone must be longer than the longest
 * planned fault, so after a crash the node would stay broken for the whole TTL;
 * a lease reverts within seconds of hacheck going away, and the TTL remains as
 * the backstop for a hacheck that is alive but stuck.
 */
import {spawn} from 'node:child_process'
import {readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {shellJoin, shellQuote} from '../../core/shell.js'
import {makeDirs} from '../../cli/files.js'
import {
  NODE_LOG_DIR,
  NODE_STATE_DIR,
  type LocalDeadman,
  type NodeDeadman,
  type NodeStep,
} from '../plan/types.js'

/** The string that identifies a run's dead-man process (its $0). */
export function deadmanTag(runId: string): string {
  return `hacheck-deadman-${runId}`
}

export interface DeadmanPaths {
  dir: string
  lease: string
  pid: string
  undo: string
  /** Where the loop logs when it fires (NODE_LOG_DIR for /run/hacheck: it must survive a reboot). */
  log: string
  /** Where a dead-man armed by an older hacheck logged (beside its lease); read too, by `chaos revert`. */
  legacyLog: string
}

export function deadmanPaths(runId: string, dir = NODE_STATE_DIR): DeadmanPaths {
  const legacyLog = `${dir}/${runId}.deadman.log`
  return {
    dir,
    lease: `${dir}/${runId}.lease`,
    pid: `${dir}/${runId}.deadman.pid`,
    undo: `${dir}/${runId}.undo`,
    log: dir === NODE_STATE_DIR ? `${NODE_LOG_DIR}/${runId}.deadman.log` : legacyLog,
    legacyLog,
  }
}

/**
 * The loop itself (bash). Arguments are baked in; `undoCmd` is run when the
 * lease expires or the TTL passes, then the loop removes its files and exits.
 * The fired log stays (on disk: the node may be fenced right after), so `chaos revert` can report that
 * the timer fired.
 */
export function deadmanLoop(
  runId: string,
  p: DeadmanPaths,
  undoCmd: string,
  leaseTimeoutS: number,
  ttlS: number,
): string {
  return [
    `echo $$ > ${shellQuote(p.pid)}`,
    `deadline=$(( $(date +%s) + ${Math.ceil(ttlS)} ))`,
    'while :; do',
    '  now=$(date +%s)',
    `  m=$(stat -c %Y ${shellQuote(p.lease)} 2>/dev/null || echo 0)`,
    '  why=""',
    `  if [ $(( now - m )) -ge ${Math.ceil(leaseTimeoutS)} ]; then why="lease not renewed for ${Math.ceil(leaseTimeoutS)}s"; fi`,
    '  if [ "$now" -ge "$deadline" ]; then why="ttl reached"; fi',
    '  if [ -n "$why" ]; then',
    `    mkdir -p ${shellQuote(dirname(p.log))} 2>/dev/null`,
    `    echo "$(date +%s.%N) ${runId} firing: $why" >> ${shellQuote(p.log)}`,
    `    ${undoCmd} >> ${shellQuote(p.log)} 2>&1`,
    `    echo "$(date +%s.%N) ${runId} undo exit $?" >> ${shellQuote(p.log)}`,
    `    rm -f ${shellQuote(p.lease)} ${shellQuote(p.pid)} ${shellQuote(p.undo)}`,
    '    exit 0',
    '  fi',
    '  sleep 0.5',
    'done',
  ].join('\n')
}

/** Node script that arms the dead-man and prints its PID. Run BEFORE the fault is injected. */
export function armNodeScript(runId: string, d: NodeDeadman, dir = NODE_STATE_DIR): string {
  const p = deadmanPaths(runId, dir)
  const loop = deadmanLoop(runId, p, `bash ${shellQuote(p.undo)}`, d.leaseTimeoutS, d.ttlS)
  const eof = 'HACHECK_UNDO_EOF'
  return [
    'set -e',
    `mkdir -p ${shellQuote(p.dir)}`,
    `chmod 700 ${shellQuote(p.dir)}`,
    `cat > ${shellQuote(p.undo)} <<'${eof}'`,
    d.undo,
    eof,
    `touch ${shellQuote(p.lease)}`,
    `rm -f ${shellQuote(p.pid)}`,
    `setsid bash -c ${shellQuote(loop)} ${deadmanTag(runId)} </dev/null >/dev/null 2>&1 &`,
    `for i in $(seq 50); do [ -s ${shellQuote(p.pid)} ] && break; sleep 0.1; done`,
    `cat ${shellQuote(p.pid)}`,
  ].join('\n')
}

/** Renews the lease (never creates it) and says whether the loop is still alive: prints "alive" or "gone". */
export function renewNodeScript(runId: string, dir = NODE_STATE_DIR): string {
  const p = deadmanPaths(runId, dir)
  return [
    `touch -c ${shellQuote(p.lease)}`,
    `pid=$(cat ${shellQuote(p.pid)} 2>/dev/null || true)`,
    `if [ -n "$pid" ] && tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -q -- ${shellQuote(deadmanTag(runId))}; then echo alive; else echo gone; fi`,
  ].join('\n')
}

/**
 * Cancels the dead-man by PID (the recorded one, or the one in its pid file),
 * only after checking that the PID runs this run's loop. Idempotent.
 */
export function cancelNodeScript(runId: string, pid: number | undefined, dir = NODE_STATE_DIR): string {
  const p = deadmanPaths(runId, dir)
  const tag = shellQuote(deadmanTag(runId))
  return [
    `for pid in ${pid ?? ''} $(cat ${shellQuote(p.pid)} 2>/dev/null || true); do`,
    `  if tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -q -- ${tag}; then kill -TERM "$pid" 2>/dev/null || true; fi`,
    'done',
    `for i in $(seq 20); do`,
    `  alive=""`,
    `  for pid in ${pid ?? ''}; do tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -q -- ${tag} && alive=1; done`,
    `  [ -z "$alive" ] && break; sleep 0.1`,
    'done',
    `rm -f ${shellQuote(p.lease)} ${shellQuote(p.pid)} ${shellQuote(p.undo)}`,
  ].join('\n')
}

/** Exit 0 when no dead-man process and no lease/pid/undo file of this run remain; prints a fired log if any. */
export function verifyNodeDeadmanGoneScript(
  runId: string,
  pid: number | undefined,
  dir = NODE_STATE_DIR,
): string {
  const p = deadmanPaths(runId, dir)
  const tag = shellQuote(deadmanTag(runId))
  return [
    'left=""',
    `for pid in ${pid ?? ''}; do tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -q -- ${tag} && left="$left process:$pid"; done`,
    `for f in ${shellQuote(p.lease)} ${shellQuote(p.pid)} ${shellQuote(p.undo)}; do [ -e "$f" ] && left="$left $f"; done`,
    `if [ -n "$left" ]; then echo "dead-man of ${runId} still present:$left" >&2; exit 1; fi`,
    'exit 0',
  ].join('\n')
}

/** Reads (then removes) the log a fired dead-man left. Prints it; empty when it never fired. */
export function collectNodeDeadmanLogScript(runId: string, dir = NODE_STATE_DIR): string {
  const p = deadmanPaths(runId, dir)
  const logs = [...new Set([p.log, p.legacyLog])].map(shellQuote).join(' ')
  return `for f in ${logs}; do if [ -e "$f" ]; then cat "$f"; rm -f "$f"; fi; done; true`
}

export function armStep(runId: string, d: NodeDeadman, dir = NODE_STATE_DIR): NodeStep {
  return {
    kind: 'node',
    node: d.node,
    what: `arm dead-man on ${d.node} (reverts if the lease is not renewed for ${d.leaseTimeoutS}s, or after ${d.ttlS}s)`,
    script: armNodeScript(runId, d, dir),
  }
}

export function cancelStep(
  runId: string,
  node: string,
  pid: number | undefined,
  dir = NODE_STATE_DIR,
): NodeStep {
  return {kind: 'node', node, what: `cancel dead-man on ${node}`, script: cancelNodeScript(runId, pid, dir)}
}

/* ------------------------------------------------------------------ */
/* Controller side                                                      */

export function localDeadmanDir(stateDir: string): string {
  return join(stateDir, 'deadman')
}

/** The loop run on this machine for a LocalDeadman: its undo is a program (ipmitool) with secret env already set. */
export function localLoopScript(runId: string, d: LocalDeadman, dir: string): string {
  const p = deadmanPaths(runId, dir)
  return deadmanLoop(runId, p, shellJoin(d.undo.argv), d.leaseTimeoutS, d.ttlS)
}

export interface ArmedLocal {
  pid: number
  paths: DeadmanPaths
}

/**
 * Starts the controller-side loop detached (its own session: it survives
 * hacheck being killed, and a Ctrl-C to hacheck's process group does not reach
 * it). Secrets reach it only through `env`.
 */
export async function armLocal(
  runId: string,
  d: LocalDeadman,
  dir: string,
  env: Record<string, string>,
): Promise<ArmedLocal> {
  const paths = deadmanPaths(runId, dir)
  makeDirs(dir, 0o700)
  writeFileSync(paths.lease, '')
  rmSync(paths.pid, {force: true})
  const child = spawn('bash', ['-c', localLoopScript(runId, d, dir), deadmanTag(runId)], {
    detached: true,
    stdio: 'ignore',
    env: {...process.env, LC_ALL: 'C', ...env},
  })
  child.unref()
  const pid = child.pid
  if (pid === undefined) throw new Error('could not start the controller-side dead-man (bash)')
  for (let i = 0; i < 50; i++) {
    try {
      if (readFileSync(paths.pid, 'utf8').trim()) break
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return {pid, paths}
}

export function renewLocal(paths: DeadmanPaths): void {
  const t = new Date()
  try {
    utimesSync(paths.lease, t, t)
  } catch {
    // Fired already (the lease is gone): nothing to renew.
  }
}

/** true when `pid` is alive and runs the loop of `runId` (checked through /proc). */
export function isLocalDeadman(pid: number, runId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(deadmanTag(runId))
  } catch {
    return false
  }
}

/** Stops the controller-side loop by PID (after checking it is ours) and removes its files. Idempotent. */
export async function cancelLocal(runId: string, pid: number | undefined, dir: string): Promise<void> {
  const paths = deadmanPaths(runId, dir)
  const pids = new Set<number>()
  if (pid !== undefined) pids.add(pid)
  try {
    const fromFile = Number(readFileSync(paths.pid, 'utf8').trim())
    if (Number.isInteger(fromFile) && fromFile > 0) pids.add(fromFile)
  } catch {
    // no pid file
  }
  for (const p of pids) {
    if (isLocalDeadman(p, runId)) {
      try {
        process.kill(p, 'SIGTERM')
      } catch {
        // exited meanwhile
      }
    }
  }
  for (let i = 0; i < 40 && [...pids].some((p) => isLocalDeadman(p, runId)); i++) {
    await new Promise((r) => setTimeout(r, 50))
  }
  for (const f of [paths.lease, paths.pid, paths.undo]) rmSync(f, {force: true})
}

/** What the local loop left when it fired (then removed); '' when it never fired. */
export function collectLocalLog(runId: string, dir: string): string {
  const paths = deadmanPaths(runId, dir)
  try {
    const text = readFileSync(paths.log, 'utf8')
    rmSync(paths.log, {force: true})
    return text
  } catch {
    return ''
  }
}
