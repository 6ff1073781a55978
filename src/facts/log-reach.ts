/**
 * log-reach: can this node reach the log servers it forwards to? The snippet
 * finds the forwarding targets in rsyslog configuration itself (so the probe
 * stays in the same single round trip as every other gatherer) and opens a
 * TCP connection to each with bash's /dev/tcp, closed at once: nothing is
 * sent. UDP targets cannot be probed without sending a message, so they are
 * reported untested.
 */
import {defineGatherer, ParseError, wholeLines} from './gatherer.js'
import {lines} from './util.js'

export interface LogTarget {
  protocol: 'tcp' | 'udp'
  host: string
  port: number
  /** null for UDP: not testable without sending a message. */
  reachable: boolean | null
  /** The address the node resolves `host` to (getent), when it resolves. */
  address?: string
}

export function parseLogReach(text: string): LogTarget[] {
  const out: LogTarget[] = []
  for (const l of lines(text)) {
    if (l.trim() === '') continue
    const m = /^(tcp|udp) (\S+) (\d+) (ok|fail|untested)(?: (\S+))?$/.exec(l.trim())
    if (!m) throw new ParseError(`unexpected line ${JSON.stringify(l)}`)
    out.push({
      protocol: m[1] as 'tcp' | 'udp',
      host: m[2] as string,
      port: Number(m[3]),
      reachable: m[4] === 'untested' ? null : m[4] === 'ok',
      ...(m[5] && m[5] !== '-' ? {address: m[5]} : {}),
    })
  }
  return out
}

// Legacy selectors: `*.* @@host:port` (TCP) or `@host` (UDP, port 514);
// RainerScript: action(type="omfwd" target="host" port="514" protocol="tcp").
const SCRIPT = String.raw`confs=$(cat /etc/rsyslog.conf /etc/rsyslog.d/*.conf 2>/dev/null | sed 's/#.*//')
{
  printf '%s\n' "$confs" | grep -oE '@@?\(?[^ :;()"]+\)?(:[0-9]+)?' | sed -E 's/[()]//g' |
    awk '{p="udp"; s=$0; if (substr(s,1,2)=="@@") {p="tcp"; s=substr(s,3)} else s=substr(s,2);
          n=split(s,a,":"); port=(n>1)?a[n]:514; print p, a[1], port}'
  printf '%s\n' "$confs" | tr '\n' ' ' | grep -oE 'action\([^)]*omfwd[^)]*\)' | while read -r a; do
    t=$(printf '%s' "$a" | sed -nE 's/.*target="([^"]+)".*/\1/p'); p=$(printf '%s' "$a" | sed -nE 's/.*port="([0-9]+)".*/\1/p')
    pr=$(printf '%s' "$a" | sed -nE 's/.*protocol="([a-z]+)".*/\1/p'); [ -n "$t" ] && echo "%{pr:-udp} $t %{p:-514}"
  done
} | sort -u | while read -r proto host port; do
  addr=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR==1{print $1}'); addr=%{addr:--}
  if [ "$proto" = tcp ]; then
    if timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then echo "tcp $host $port ok $addr"; else echo "tcp $host $port fail $addr"; fi
  else echo "udp $host $port untested $addr"; fi
done`.replaceAll('%{', '$' + '{') // %{…} stands for bash's ${…}, which a template literal would interpolate

export const logReach = defineGatherer<LogTarget[]>({
  id: 'log-reach',
  description: 'TCP reachability of the log servers this node forwards to (connect only, nothing sent)',
  command:
    'timeout 3 bash -c "</dev/tcp/<log server>/<port>" for each forwarding target in the rsyslog, syslog-ng and journal-upload configuration',
  script: SCRIPT,
  requires: ['timeout'],
  parse: (out) => parseLogReach(wholeLines(out.stdout)),
})
