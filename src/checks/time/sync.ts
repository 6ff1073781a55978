import {host} from '../../facts/host.js'
import {defineNodeCheck, fail, pass, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Also expected: the node's clock is synchronised (chrony or systemd-timesyncd), offset small. */
export default defineNodeCheck({
  id: 'time.sync',
  title: 'The clock is synchronised',
  area: 'time',
  severity: 'warning',
  rationale:
    'Unsynchronised clocks make the cluster timeline unreadable (logs of different nodes disagree on what happened first), break certificate and Kerberos validity checks, and can upset some resource agents and databases.',
  params: {maxOffsetMs: 500},
  facts: {h: host},
  evaluate({h}, {maxOffsetMs}, node) {
    const t = h.time
    const e = [
      ev(
        node.name,
        host,
        {chrony: t.chrony, timedatectl: {synchronized: t.synchronized, ntp: t.ntpEnabled}},
        `synchronised, |offset| <= ${maxOffsetMs} ms`,
      ),
    ]
    if (t.chrony) {
      if (!t.chrony.synchronised)
        return fail(`chrony is not synchronised (leap status ${t.chrony.leapStatus ?? '?'})`, e)
      // An offset chronyc printed in a form we cannot read is "cannot tell", never an offset of 0.
      if (t.chrony.systemTimeOffsetSeconds === undefined)
        return unknown(
          'cannot read the System time offset in chronyc tracking: cannot tell how far off the clock is',
          e,
        )
      const off = Math.abs(t.chrony.systemTimeOffsetSeconds * 1000)
      if (off > (maxOffsetMs as number))
        return fail(`chrony offset ${off.toFixed(0)} ms exceeds ${maxOffsetMs} ms`, e)
      return pass(`chrony synchronised to ${t.chrony.referenceId ?? '?'}, offset ${off.toFixed(1)} ms`, e)
    }
    if (t.synchronized === true) return pass('system clock synchronised (timedatectl)', e)
    if (t.synchronized === false)
      return fail(
        `system clock not synchronised (timedatectl; NTP ${t.ntpEnabled ? 'enabled' : 'disabled'})`,
        e,
      )
    return fail('no time synchronisation status found: neither chronyc nor a working timedatectl', e)
  },
  remediation: remediation(
    'The node clock is not (verifiably) synchronised.',
    'Run chrony (or systemd-timesyncd) against the same NTP sources on every node: `apt-get install chrony` / `dnf install chrony`, `systemctl enable --now chronyd`; check with `chronyc tracking`.',
    ['chronyc(1) tracking', 'timedatectl(1)'],
  ),
})
