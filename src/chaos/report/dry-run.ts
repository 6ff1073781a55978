/**
 * `--dry-run`: the exact commands a fault would run, per node and phase
 * (dead-man arm, inject, verify, revert, verify removed, dead-man cancel),
 * without changing anything. Pure over a plan.
 */
import {
  armStep,
  cancelStep,
  localLoopScript,
  renewNodeScript,
  verifyNodeDeadmanGoneScript,
} from '../safety/deadman.js'
import {renderStep} from '../plan/step-text.js'
import type {FaultPlan, Step} from '../plan/types.js'

function block(title: string, steps: readonly Step[]): string[] {
  if (steps.length === 0) return [`## ${title}`, '  (none)', '']
  return [`## ${title}`, ...steps.map((s) => renderStep(s)), '']
}

export function renderDryRun(
  runId: string,
  plan: FaultPlan,
  opts: {nodeStateDir?: string; localStateDir?: string} = {},
): string {
  const arm: Step[] = []
  const renew: Step[] = []
  const cancel: Step[] = []
  const localLines: string[] = []
  for (const d of plan.deadmen) {
    if (d.kind === 'node') {
      arm.push(armStep(runId, d, opts.nodeStateDir))
      renew.push({
        kind: 'node',
        node: d.node,
        what: 'renew the lease (every 2 s while the fault holds)',
        script: renewNodeScript(runId, opts.nodeStateDir),
      })
      cancel.push(cancelStep(runId, d.node, undefined, opts.nodeStateDir))
      cancel.push({
        kind: 'node',
        node: d.node,
        what: 'verify no dead-man is left',
        script: verifyNodeDeadmanGoneScript(runId, undefined, opts.nodeStateDir),
      })
    } else {
      localLines.push(
        `[controller] arm dead-man: ${d.what} if the lease is not renewed for ${d.leaseTimeoutS}s, or after ${d.ttlS}s`,
        `    detached: bash -c <loop> hacheck-deadman-${runId}   (environment: ${Object.entries(
          d.undo.secretEnv ?? {},
        )
          .map(([k, v]) => `${k}="$${v}"`)
          .join(' ')})`,
        ...localLoopScript(runId, d, opts.localStateDir ?? '$XDG_STATE_HOME/hacheck/deadman')
          .split('\n')
          .map((l) => `      ${l}`),
      )
    }
  }
  const lines = [
    `# hacheck chaos ${plan.fault} --dry-run (run id ${runId}): nothing is changed`,
    `# ${plan.summary}`,
    ...plan.notes.map((n) => `# note: ${n}`),
    `# targets: ${plan.targets.join(', ') || '—'}; expected to leave the membership: ${plan.leavesMembership.join(', ') || 'none'}; expected to be fenced: ${plan.expectFenced.join(', ') || 'none'}`,
    `# default expectations: ${plan.defaultExpectations.join('; ') || 'none'}`,
    '',
    '## 1. ledger',
    `  written before anything changes: $XDG_STATE_HOME/hacheck/ledger/${runId}.json (the revert steps below)`,
    '',
    ...(arm.length || localLines.length
      ? ['## 2. dead-man (armed before the fault)', ...arm.map((s) => renderStep(s)), ...localLines, '']
      : ['## 2. dead-man', '  (none: this fault has nothing to revert)', '']),
    ...block('3. inject', plan.inject),
    ...block(`4. verify the fault is in effect (retried up to ${plan.verifyTimeoutMs / 1000}s)`, plan.verify),
    ...(renew.length
      ? ['## 5. hold ' + `${plan.holdMs / 1000}s`, ...renew.map((s) => renderStep(s)), '']
      : [`## 5. hold ${plan.holdMs / 1000}s`, '']),
    ...block(
      `6. revert (retried up to ${plan.revertTimeoutMs / 1000}s; also what \`hacheck chaos revert\` replays)`,
      plan.revert,
    ),
    ...block('7. verify the fault is fully removed', plan.verifyReverted),
    ...block("8. cancel the dead-man (by PID, after checking it is this run's loop)", cancel),
  ]
  if (plan.deadmen.some((d) => d.kind === 'local'))
    lines.push(
      '[controller] cancel the controller-side dead-man: kill <pid> (after checking /proc/<pid>/cmdline), remove its lease',
      '',
    )
  return lines.join('\n').replace(/\n+$/, '\n')
}

/** A fault's dry run: what the preflight would say, then every command. */
export function renderFaultDryRun(out: {runId: string; head: readonly string[]; plan: FaultPlan}): string {
  return [...out.head, renderDryRun(out.runId, out.plan)].join('\n')
}
