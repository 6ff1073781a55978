/**
 * Screenshots of the HTML reports in headless Debian Chromium, and what a test
 * can ask of one (is it blank? which colours does it hold?). Tests skip with a
 * message where /usr/bin/chromium is absent.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {inflateSync} from 'node:zlib'

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))

/** Renders file:// `html` to `png` (width × height) in a fresh profile under `dir`; returns Chromium's stderr. */
export function screenshot(html: string, png: string, dir: string, width = 1100, height = 900): string {
  const run = spawnSync(
    CHROMIUM as string,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--screenshot=${png}`,
      `--window-size=${width},${height}`,
      `file://${html}`,
    ],
    {encoding: 'utf8', timeout: 90_000},
  )
  return run.stderr
}

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes). */
export function decodePng(buf: Buffer): {width: number; height: number; channels: number; pixels: Buffer} {
  let off = 8
  let width = 0
  let height = 0
  let colorType = 0
  const idat: Buffer[] = []
  while (off < buf.length) {
    const len = buf.readUInt32BE(off)
    const type = buf.toString('ascii', off + 4, off + 8)
    const data = buf.subarray(off + 8, off + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      colorType = data[9] as number
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs')
    } else if (type === 'IDAT') idat.push(data)
    off += 12 + len
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0
  if (!channels) throw new Error(`unsupported PNG color type ${colorType}`)
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const out = Buffer.alloc(height * stride)
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)] as number
    for (let x = 0; x < stride; x++) {
      const rawV = raw[y * (stride + 1) + 1 + x] as number
      const a = x >= channels ? (out[y * stride + x - channels] as number) : 0
      const b = y > 0 ? (out[(y - 1) * stride + x] as number) : 0
      const c = x >= channels && y > 0 ? (out[(y - 1) * stride + x - channels] as number) : 0
      let v: number
      if (f === 0) v = rawV
      else if (f === 1) v = rawV + a
      else if (f === 2) v = rawV + b
      else if (f === 3) v = rawV + ((a + b) >> 1)
      else {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        v = rawV + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
      }
      out[y * stride + x] = v & 0xff
    }
  }
  return {width, height, channels, pixels: out}
}

export interface PixelStats {
  width: number
  height: number
  /** Distinct colours. */
  colors: number
  /** Share of pixels that are not (nearly) white. */
  inked: number
  /** Standard deviation of the luminance (0 for a blank page). */
  lumaStdDev: number
  /** Pixels within ±12 per channel of each of `probe` colours (0xRRGGBB). */
  near: Map<number, number>
}

export function pixelStats(png: Buffer, probe: readonly number[] = []): PixelStats {
  const img = decodePng(png)
  const colors = new Set<number>()
  let inked = 0
  let sum = 0
  let sum2 = 0
  const near = new Map<number, number>(probe.map((p) => [p, 0]))
  const n = img.width * img.height
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    const [R, G, B] = [img.pixels[i] as number, img.pixels[i + 1] as number, img.pixels[i + 2] as number]
    colors.add((R << 16) | (G << 8) | B)
    if (R < 245 || G < 245 || B < 245) inked++
    const y = 0.2126 * R + 0.7152 * G + 0.0722 * B
    sum += y
    sum2 += y * y
    for (const p of probe)
      if (Math.abs(R - (p >> 16)) < 12 && Math.abs(G - ((p >> 8) & 255)) < 12 && Math.abs(B - (p & 255)) < 12)
        near.set(p, (near.get(p) ?? 0) + 1)
  }
  const mean = sum / n
  return {
    width: img.width,
    height: img.height,
    colors: colors.size,
    inked: inked / n,
    lumaStdDev: Math.sqrt(Math.max(0, sum2 / n - mean * mean)),
    near,
  }
}

export function readPng(file: string): Buffer {
  return readFileSync(file)
}
