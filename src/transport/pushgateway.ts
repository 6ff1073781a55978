/**
 * Pushing metrics to a Prometheus Pushgateway over its HTTP API: the text
 * format (0.0.4) to /metrics/job/<job>{/<label>/<value>}. PUT replaces every
 * metric of the group (a check that disappeared from the checklist disappears
 * from the gateway too); POST replaces only the metric names pushed. Grouping
 * values that are empty or contain a "/" are sent base64url-encoded
 * (`<label>@base64/<value>`), as the Pushgateway documents.
 */
import {errorMessage, IncompleteError, InputError} from '../core/errors.js'

export interface PushOptions {
  /** Base URL of the Pushgateway, e.g. http://127.0.0.1:9091 (a path prefix is kept). */
  url: string
  job: string
  grouping?: Record<string, string>
  method?: 'PUT' | 'POST'
  timeoutMs?: number
}

function segment(label: string, value: string): string {
  if (value === '' || value.includes('/')) {
    const b64 = Buffer.from(value, 'utf8').toString('base64url')
    return `${label}@base64/${b64 === '' ? '=' : b64}`
  }
  return `${label}/${encodeURIComponent(value)}`
}

/** The group's URL (pure). */
export function pushUrl(o: Pick<PushOptions, 'url' | 'job' | 'grouping'>): string {
  let base: URL
  try {
    base = new URL(o.url)
  } catch {
    throw new InputError(`--push-gateway ${o.url}: expected a URL such as http://pushgateway:9091`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new InputError(`--push-gateway ${o.url}: expected an http:// or https:// URL`)
  const path = [
    segment('job', o.job),
    ...Object.entries(o.grouping ?? {}).map(([k, v]) => segment(k, v)),
  ].join('/')
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}/metrics/${path}`
}

export async function pushMetrics(body: string, o: PushOptions): Promise<{status: number; url: string}> {
  const url = pushUrl(o)
  let res: Response
  try {
    res = await fetch(url, {
      method: o.method ?? 'PUT',
      headers: {'Content-Type': 'text/plain; version=0.0.4; charset=utf-8'},
      body,
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    })
  } catch (err) {
    const cause = (err as {cause?: unknown}).cause
    throw new IncompleteError(
      `push to ${url} failed: ${errorMessage(err)}${cause ? ` (${errorMessage(cause)})` : ''}`,
      {
        code: 'push-failed',
        actions: ['Check that the Pushgateway answers at that address (curl URL/metrics).'],
      },
    )
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 500).trim()
    throw new IncompleteError(`push to ${url} was refused: HTTP ${res.status}${text ? `: ${text}` : ''}`, {
      code: 'push-refused',
    })
  }
  await res.arrayBuffer().catch(() => undefined)
  return {status: res.status, url}
}
