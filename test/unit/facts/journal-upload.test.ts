import {describe, expect, it} from 'vitest'

import {journalUpload, parseJournalUploadConf} from '../../../src/facts/journal-upload.js'
import {framed} from './fixtures.js'

// No journal-upload.conf in the shared corpus: one-line INI shapes.
describe('journal-upload parser', () => {
  it('reads the URL of the Upload section and ignores a commented one', () => {
    expect(parseJournalUploadConf(['[Upload]\n# URL=http://old\nURL=https://logs.example:19532\n'])).toBe(
      'https://logs.example:19532',
    )
    expect(parseJournalUploadConf(['[Upload]\n#URL=\n'])).toBeUndefined()
    const j = journalUpload.parse({
      stdout: framed([
        {name: '/etc/systemd/journal-upload.conf', body: '[Upload]\nURL=http://a:19532\n'},
        {name: 'state', body: 'enabled\nactive\n'},
      ]),
      stderr: '',
      exitCode: 0,
    })
    expect(j).toEqual({
      files: ['/etc/systemd/journal-upload.conf'],
      url: 'http://a:19532',
      enabled: 'enabled',
      active: 'active',
    })
  })
})
