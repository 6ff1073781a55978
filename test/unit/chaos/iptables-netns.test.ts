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
import {
  arpChain,
  arpGoneScript,
  arpInjectScript,
  arpRevertScript,
  arpVerifyScript,
} from '../../../src/chaos/faults/parts/arp.js'

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

  it('drops ARP on the pulled interface in a chain named after the run, keeping the controller and BMCs answered, and removes only its own', () => {
    const ex = {controller: {address: '198.18.2.1', sshPort: 22}, bmcs: ['198.18.3.101']}
    const inject = `${injectChainScript(RUN, rules)}\n${arpInjectScript(RUN, 'd0', ex)}`
    const s = inNetns(
      [
        'ip link add d0 type veth peer name d1 && ip link set d0 up',
        // An operator's own ARP rule and chain: they must survive.
        'arptables -N USERARP && arptables -A USERARP -j RETURN && arptables -A INPUT -j USERARP',
        step('inject', inject),
        step('arp', 'arptables -S'),
        step('verify', arpVerifyScript(RUN)),
        step('gone-while-in', arpGoneScript(RUN)),
        step('revert-other', arpRevertScript('other-run')),
        step('arp-other', 'arptables -S'),
        step('revert', `${revertChainScript(RUN)}\n${arpRevertScript(RUN)}`),
        step('verify-after', arpVerifyScript(RUN)),
        step('gone', `${verifyChainGoneScript(RUN)}\n${arpGoneScript(RUN)}`),
        step('revert-again', arpRevertScript(RUN)),
        step('arp-after', 'arptables -S'),
      ].join('\n'),
    )
    const chain = arpChain(RUN)
    expect(s.inject).toMatch(/rc=0/)
    const applied = s.arp ?? ''
    expect(applied).toContain(`-A INPUT -j ${chain}`)
    expect(applied).toContain(`-A OUTPUT -j ${chain}`)
    const at = (needle: string): number => applied.indexOf(needle)
    expect(at(`-A ${chain} -j RETURN -s 198.18.2.1`)).toBeGreaterThan(0)
    expect(at(`-A ${chain} -j RETURN -d 198.18.3.101`)).toBeGreaterThan(0)
    expect(at(`-A ${chain} -j RETURN -s 198.18.3.101`)).toBeLessThan(at(`-A ${chain} -j DROP -i d0`))
    expect(applied).toContain(`-A ${chain} -j DROP -o d0`)
    expect(s.verify).toMatch(/rc=0/)
    expect(s['gone-while-in']).toMatch(/ARP chain HK-test-run-1 still present[\s\S]*rc=1/)
    expect(s['arp-other']).toContain(`-N ${chain}`)
    expect(s.revert).toMatch(/rc=0/)
    expect(s['verify-after']).not.toMatch(/rc=0/)
    expect(s.gone).toMatch(/rc=0/)
    expect(s['revert-again']).toMatch(/rc=0/)
    const after = s['arp-after'] ?? ''
    expect(after).not.toContain(chain)
    expect(after).toContain('-A INPUT -j USERARP')
  })
})
