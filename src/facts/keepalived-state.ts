/**
 * keepalived-state: the running VRRP state of keepalived on the node, from its
 * own JSON dump. keepalived writes /tmp/keepalived.json when its main process
 * receives the JSON signal (`keepalived --signum=JSON`, built with --enable-json
 * as Debian's and RHEL's packages are); it changes nothing else. The snippet
 * notes the file's mtime, signals the PID in /run/keepalived.pid (checked to be
 * a keepalived process), waits up to 2 s for a newer file and prints it, with the VRRP password
 * (`auth_data`) replaced by `(redacted)` on the node: it never reaches hacheck, its logs or a capture.
 *
 * The dump is a JSON array, one object per VRRP instance:
 *   [{"data": {"iname": "VI_WWW", "state": 2, "vrid": 51, "base_priority": 150,
 *              "effective_priority": 150, "ifp_ifname": "eth0", "vips": […],
 *              "last_transition": 1765120000.123, …}, "stats": {…}}]
 * state: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT (keepalived's vrrp.h).
 *
 * Outcomes: keepalived not installed → not-installed; installed but not running
 * → exit 1 ("installed but not running", could not tell the state); no dump
 * within 2 s → exit 1.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {isRecord, num, str} from './util.js'

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'UNKNOWN'

export interface VrrpInstanceState {
  name: string
  state: VrrpState
  /** The number keepalived printed. */
  stateCode: number
  vrid?: number
  basePriority?: number
  effectivePriority?: number
  interface?: string
  /** Addresses of virtual_ipaddress (without prefix), as keepalived holds them. */
  vips: string[]
  /** When the instance last changed state (epoch seconds, keepalived's clock). */
  lastTransition?: number
  /** The MASTER's address as this instance last heard it (BACKUP side), when dumped. */
  masterAddress?: string
}

export interface KeepalivedState {
  instances: VrrpInstanceState[]
}

const STATES: Record<number, VrrpState> = {0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT'}

function vipAddress(v: unknown): string | undefined {
  const s = str(v) ?? (isRecord(v) ? (str(v['ipaddress']) ?? str(v['address'])) : undefined)
  return s?.trim().split(/[\s/]/)[0]
}

export function parseKeepalivedJson(text: string): KeepalivedState {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new ParseError(`keepalived's JSON dump is not JSON: ${(err as Error).message}`)
  }
  if (!Array.isArray(data)) throw new ParseError('keepalived JSON dump: expected an array of VRRP instances')
  const instances = data.map((item, i): VrrpInstanceState => {
    const d = isRecord(item) && isRecord(item['data']) ? item['data'] : undefined
    if (!d) throw new ParseError(`keepalived JSON dump: instance ${i} has no "data" object`)
    const name = str(d['iname'])
    const code = num(d['state'])
    if (name === undefined || code === undefined)
      throw new ParseError(`keepalived JSON dump: instance ${i} lacks "iname" or "state"`)
    const inst: VrrpInstanceState = {
      name,
      state: STATES[code] ?? 'UNKNOWN',
      stateCode: code,
      vips: (Array.isArray(d['vips']) ? d['vips'] : []).map(vipAddress).filter((x): x is string => !!x),
    }
    const set = <K extends keyof VrrpInstanceState>(k: K, v: VrrpInstanceState[K] | undefined): void => {
      if (v !== undefined) inst[k] = v
    }
    set('vrid', num(d['vrid']))
    set('basePriority', num(d['base_priority']))
    set('effectivePriority', num(d['effective_priority']))
    set('interface', str(d['ifp_ifname']))
    set('lastTransition', num(d['last_transition']))
    set('masterAddress', str(d['master_saddr']) ?? str(d['master_ipaddr']))
    return inst
  })
  return {instances}
}

export const keepalivedState = defineGatherer<KeepalivedState>({
  id: 'keepalived-state',
  command:
    'kill -s $(keepalived --signum=JSON) $(cat /run/keepalived.pid); cat /tmp/keepalived.json (auth_data redacted)',
  description: "keepalived's running VRRP state (its JSON dump): MASTER/BACKUP/FAULT per instance",
  script: [
    'p=$(cat /run/keepalived.pid 2>/dev/null)',
    'if [ -z "$p" ] || [ "$(cat /proc/$p/comm 2>/dev/null)" != keepalived ]; then',
    '  echo "keepalived is installed on this node but not running (no live /run/keepalived.pid)" >&2; exit 1',
    'fi',
    'f=/tmp/keepalived.json; before=$(stat -c %.9Y "$f" 2>/dev/null || echo none)',
    'kill -s "$(keepalived --signum=JSON)" "$p" || exit 1',
    'for i in $(seq 20); do sleep 0.1; now=$(stat -c %.9Y "$f" 2>/dev/null || echo none)',
    '  [ "$now" != none ] && [ "$now" != "$before" ] && { sleep 0.1; sed -E \'s/"auth_data":"([^"\\\\]|\\\\.)*"/"auth_data":"(redacted)"/g\' "$f"; exit 0; }; done',
    'echo "keepalived did not write $f within 2 s of the JSON signal" >&2; exit 1',
  ].join('\n'),
  requires: ['keepalived'],
  parse: (out) => parseKeepalivedJson(out.stdout),
})
