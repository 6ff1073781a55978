import {multipath} from '../../facts/multipath.js'
import {sbdConfig} from '../../facts/sbd-config.js'
import {defineNodeCheck, fail, pass, skip, unknown} from '../define.js'
import {ev, remediation} from '../evidence.js'

/** Item 4: every shared LUN (including the SBD device) has >= 2 active paths. */
export default defineNodeCheck({
  id: 'storage.multipath',
  title: 'Every shared LUN has at least 2 active paths',
  area: 'storage',
  severity: 'critical',
  rationale:
    'With a single path, one HBA, cable or SAN switch failure cuts the node off its data (and its SBD device, which self-fences the node).',
  params: {minPaths: 2},
  facts: {},
  optionalFacts: {mp: multipath, sbd: sbdConfig},
  evaluate(_f, {minPaths}, node, _ctx, {mp, sbd}) {
    const sbdDevices = sbd.ok ? sbd.value.devices : []
    if (!mp.ok) {
      if (mp.error.code === 'not-installed' && sbdDevices.length === 0)
        return skip('no shared storage: multipath is not installed and no SBD device is configured')
      if (mp.error.code === 'not-installed')
        return fail(`SBD device(s) ${sbdDevices.join(', ')} configured but multipath is not installed`, [
          ev(node.name, multipath, mp.error),
        ])
      return unknown(mp.error.message, [ev(node.name, multipath, mp.error)])
    }
    const maps = mp.value.maps
    if (maps.length === 0) {
      if (sbdDevices.length)
        return fail(`SBD device(s) ${sbdDevices.join(', ')} configured but no multipath map exists`, [
          ev(node.name, multipath, mp.value.messages),
        ])
      return skip(
        `no shared storage: no multipath maps${mp.value.deviceMapperUnavailable ? ' (device-mapper unavailable)' : ''} and no SBD device`,
      )
    }
    const observed = maps.map((m) => ({
      map: m.name,
      wwid: m.wwid,
      activePaths: m.activePaths,
      totalPaths: m.totalPaths,
    }))
    const e = [ev(node.name, multipath, observed, `>= ${minPaths} active paths per map`)]
    const weak = maps.filter((m) => m.activePaths < (minPaths as number))
    if (weak.length)
      return fail(
        `${weak.map((m) => `${m.name} has ${m.activePaths}/${m.totalPaths} active path(s)`).join(', ')}`,
        e,
      )
    return pass(`${maps.length} map(s), each with >= ${minPaths} active paths`, e)
  },
  remediation: remediation(
    'A shared LUN is reachable through fewer than the required independent paths.',
    'Check the failed paths (`multipath -ll`, `multipathd show paths`), the HBA links and zoning; restore the path or add a second HBA/target port so every LUN has two independent paths. Keep `/etc/multipath.conf` identical on all nodes.',
    ['multipath(8)', 'multipathd(8)'],
  ),
})
