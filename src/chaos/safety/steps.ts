/**
 * Running plan steps: node scripts over the CommandRunner, local programs on
 * the controller (with their secret environment), once or until they hold.
 */
import {IncompleteError} from '../../core/errors.js'
import {registerSecret} from '../../core/secrets.js'
import type {CommandResult, CommandRunner, NodeSpec} from '../../core/types.js'
import {judgeHolds} from '../plan/holds.js'
import type {LocalStep, Step} from '../plan/types.js'

export type LocalRun = (
  argv: readonly string[],
  opts: {env?: Record<string, string>; timeoutMs?: number},
) => Promise<CommandResult>

/** Where steps run. `nodes` are looked up by name; secrets are read from `env` (process.env by default). */
export interface StepEnv {
  runner: CommandRunner
  local: LocalRun
  nodes: ReadonlyMap<string, NodeSpec>
  env?: NodeJS.ProcessEnv
  abort?: AbortSignal
}

export interface StepOutcome {
  step: Step
  ok: boolean
  result?: CommandResult
  error?: string
}

/** The value of every secretEnv entry; throws a one-line error naming the missing variable. */
export function secretEnvOf(step: LocalStep, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, from] of Object.entries(step.secretEnv ?? {})) {
    const v = env[from]
    if (v === undefined || v === '') {
      throw new IncompleteError(
        `${step.what}: the environment variable ${from} is not set (the inventory's bmc.passwordEnv)`,
        {
          code: 'secret-env-missing',
          actions: [`export ${from}=… (the BMC password), then run again`],
        },
      )
    }
    registerSecret(v)
    out[k] = v
  }
  return out
}

function nodeOf(env: StepEnv, name: string): NodeSpec {
  const n = env.nodes.get(name)
  if (!n) throw new IncompleteError(`node ${name} is not in the inventory`, {code: 'unknown-node'})
  return n
}

/** Runs one step once. Never throws for a command that failed; throws only for missing secrets/nodes. */
export async function runStep(env: StepEnv, step: Step): Promise<StepOutcome> {
  try {
    let result: CommandResult
    if (step.kind === 'node') {
      result = await env.runner.run(
        nodeOf(env, step.node),
        {script: step.script, sudo: true, timeoutMs: step.timeoutMs ?? 30_000},
        env.abort,
      )
    } else {
      result = await env.local(step.argv, {
        env: secretEnvOf(step, env.env),
        timeoutMs: step.timeoutMs ?? 30_000,
      })
    }
    const ok =
      result.exitCode === 0 &&
      (step.expectStdout === undefined || new RegExp(step.expectStdout, 'm').test(result.stdout))
    if (ok && step.kind === 'node' && step.holds) {
      const judged = judgeHolds(step.holds, result.stdout)
      return judged.ok ? {step, ok, result} : {step, ok: false, result, error: judged.why}
    }
    return {step, ok, result, error: ok ? undefined : failureText(result)}
  } catch (err) {
    if (err instanceof IncompleteError && err.code === 'secret-env-missing') throw err
    if (err instanceof IncompleteError && err.code === 'unknown-node') throw err
    return {step, ok: false, error: err instanceof Error ? err.message : String(err)}
  }
}

/** A failure the step's plan knows the meaning of (step.explain), in those words; undefined otherwise. */
export function explainedFailure(o: StepOutcome): {message: string; code: string} | undefined {
  const ex = o.step.kind === 'node' ? o.step.explain : undefined
  const stderr = o.result?.stderr ?? ''
  if (o.ok || !ex || !new RegExp(ex.when, 'i').test(stderr)) return undefined
  const said = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / ')
  return {message: ex.message.replace('{stderr}', said), code: ex.code}
}

export function failureText(r: CommandResult): string {
  const why = r.timedOut
    ? 'timed out'
    : r.exitCode === null
      ? `killed${r.signal ? ` by ${r.signal}` : ''}`
      : `exit ${r.exitCode}`
  const err = r.stderr.trim().split('\n').slice(-3).join(' / ')
  return err ? `${why}: ${err}` : why
}

/** Retries a step until it holds or `timeoutMs` passes (backoff 250 ms doubling to 2 s). */
export async function untilHolds(env: StepEnv, step: Step, timeoutMs: number): Promise<StepOutcome> {
  const deadline = Date.now() + timeoutMs
  let delay = 250
  for (;;) {
    const o = await runStep(env, step)
    if (o.ok || Date.now() + delay > deadline || env.abort?.aborted) return o
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(delay * 2, 2000)
  }
}
