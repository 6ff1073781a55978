/**
 * The iptables scripts for real, in a throwaway network namespace
 * (`unshare --net`): never the host's firewall. Needs root and unshare.
 */
import {execFileSync, spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {
  exemptionRules,
  injectChainScript,
  revertChainScript,
  verifyChainGoneScript,
  verifyChainScript,
  type Rule,
} from '../../../src/chaos/faults/parts/iptables.js'

function canUnshare(): boolean {
  if (process.getuid?.() !== 0) return false
  const r = spawnSync('unshare', ['--net', 'iptables', '-w', '5', '-S'], {encoding: 'utf8'})
  return r.status === 0
}

/** Runs one bash script inside a fresh network namespace; sections are separated by "@@name" lines. */
function inNetns(script: string): Record<string, string> {
  const out = execFileSync('unshare', ['--net', 'bash', '-c', script], {encoding: 'utf8'})
  const sections: Record<string, string> = {}
  let name = ''
  for (const line of out.split('\n')) {
    const m = /^@@(\S+)$/.exec(line)
    if (m) {
      name = m[1] as string
      sections[name] = ''
    } else if (name) sections[name] += `${line}\n`
  }
  return sections
}

function step(name: string, script: string): string {
  return `echo @@${name}\n( ${script}\n) 2>&1; echo "rc=$?"`
}

const RUN = 'test-run-1'
const rules: Rule[] = [
  ...exemptionRules({
    controller: {address: '198.18.2.1', sshPort: 22},
    bmcs: ['198.18.3.101', '198.18.3.102'],
  }),
  {family: 'both', args: ['-i', 'lo', '-j', 'DROP']},
  {family: 'both', args: ['-o', 'lo', '-j', 'DROP']},
]

describe.skipIf(!canUnshare())('iptables fault scripts in a throwaway network namespace', () => {
  it('inject, verify, revert and verify-removed, leaving the operator’s own rules alone', () => {
    const s = inNetns(
      [
        'ip link set lo up',
        // Rules hacheck did not create: they must survive.
        'iptables -A INPUT -p tcp --dport 9999 -j ACCEPT',
        'iptables -N USERCHAIN && iptables -A USERCHAIN -j RETURN && iptables -A OUTPUT -j USERCHAIN',
        step('ping-before', 'ping -c1 -W1 127.0.0.1 >/dev/null'),
        step('inject', injectChainScript(RUN, rules)),
        step('rules', 'iptables -S'),
        step('verify', verifyChainScript(RUN)),
        step('gone-while-in', verifyChainGoneScript(RUN)),
        step('ping-during', 'ping -c1 -W1 127.0.0.1 >/dev/null'),
        step('inject-twice', injectChainScript('other-run', rules)),
        step('revert', revertChainScript(RUN)),
        step('verify-after', verifyChainScript(RUN)),
        step('gone', verifyChainGoneScript(RUN)),
        step('revert-again', revertChainScript(RUN)),
        step('ping-after', 'ping -c1 -W1 127.0.0.1 >/dev/null'),
        step('rules-after', 'iptables -S'),
      ].join('\n'),
    )
    expect(s['ping-before']).toMatch(/rc=0/)
    expect(s.inject).toMatch(/rc=0/)
    const applied = s.rules ?? ''
    expect(applied).toContain('-A INPUT -m comment --comment "hacheck-run=test-run-1" -j HACHECK')
    // Exemptions come before the DROPs.
    const idx = (needle: string): number => applied.indexOf(needle)
    expect(idx('-s 198.18.2.1/32 -p tcp -m tcp --dport 22 -j RETURN')).toBeGreaterThan(0)
    expect(idx('-s 198.18.3.101/32 -j RETURN')).toBeLessThan(idx('-i lo -j DROP'))
    expect(s.verify).toMatch(/rc=0/)
    expect(s['gone-while-in']).toMatch(/rc=1/)
    expect(s['ping-during']).toMatch(/rc=1/)
    expect(s['inject-twice']).toMatch(/already exists[\s\S]*rc=3/)
    expect(s.revert).toMatch(/rc=0/)
    expect(s['verify-after']).not.toMatch(/rc=0/)
    expect(s.gone).toMatch(/rc=0/)
    expect(s['revert-again']).toMatch(/rc=0/)
    expect(s['ping-after']).toMatch(/rc=0/)
    const after = s['rules-after'] ?? ''
    expect(after).not.toContain('HACHECK')
    expect(after).toContain('-A INPUT -p tcp -m tcp --dport 9999 -j ACCEPT')
    expect(after).toContain('-A OUTPUT -j USERCHAIN')
    expect(after).toContain('-N USERCHAIN')
  })

  it('revert does not remove a HACHECK chain that belongs to another run', () => {
    const s = inNetns(
      [
        step('inject', injectChainScript('run-a', rules)),
        step('revert-b', revertChainScript('run-b')),
        step('rules', 'iptables -S'),
        step('revert-a', revertChainScript('run-a')),
        step('rules-after', 'iptables -S'),
      ].join('\n'),
    )
    expect(s['revert-b']).toMatch(/rc=0/)
    expect(s.rules).toContain('-j HACHECK')
    expect(s['rules-after']).not.toContain('HACHECK')
  })
})
