/**
 * journal-upload: systemd-journal-upload's target (URL=) from
 * /etc/systemd/journal-upload.conf and its .conf.d drop-ins (later files win,
 * as systemd reads them), plus whether the service is enabled and active.
 *
 * Snippet: the config files as framed parts and one part "state" with
 * `systemctl is-enabled` / `is-active` of systemd-journal-upload. Exits
 * ABSENT_RC when there is no config file at all.
 */
import {defineGatherer, ParseError} from './gatherer.js'
import {filesScript, partScript, splitParts} from './parts.js'
import {lines} from './util.js'

export interface JournalUpload {
  files: string[]
  /** Effective URL= of the [Upload] section; undefined when unset or commented. */
  url?: string
  enabled?: string
  active?: string
}

/** Last URL= in the [Upload] section of the texts, in order. */
export function parseJournalUploadConf(texts: readonly string[]): string | undefined {
  let url: string | undefined
  for (const text of texts) {
    let section = ''
    for (const l of lines(text)) {
      const t = l.trim()
      if (t === '' || t.startsWith('#') || t.startsWith(';')) continue
      const sec = /^\[(.+)\]$/.exec(t)
      if (sec) {
        section = sec[1] ?? ''
        continue
      }
      const kv = /^URL\s*=\s*(.*)$/.exec(t)
      if (kv && section === 'Upload') url = (kv[1] ?? '').trim() || undefined
    }
  }
  return url
}

export const journalUpload = defineGatherer<JournalUpload>({
  id: 'journal-upload',
  description: 'systemd-journal-upload target URL and service state',
  command:
    'cat /etc/systemd/journal-upload.conf{,.d/*.conf}; systemctl is-enabled systemd-journal-upload; systemctl is-active systemd-journal-upload',
  script: [
    filesScript(['/etc/systemd/journal-upload.conf', '/etc/systemd/journal-upload.conf.d/*.conf']),
    partScript(
      'state',
      'systemctl is-enabled systemd-journal-upload; systemctl is-active systemd-journal-upload',
    ),
    'exit 0',
  ].join('; '),
  whenAbsent: 'no /etc/systemd/journal-upload.conf on this node',
  parse: (out) => {
    const parts = splitParts(out.stdout)
    const conf = parts.filter((p) => p.name !== 'state' && p.exitCode === 0)
    if (conf.length === 0) throw new ParseError('no readable journal-upload configuration in output')
    const state = lines(parts.find((p) => p.name === 'state')?.body ?? '').map((l) => l.trim())
    return {
      files: conf.map((p) => p.name),
      url: parseJournalUploadConf(conf.map((p) => p.body)),
      enabled: state[0] || undefined,
      active: state[1] || undefined,
    }
  },
})
