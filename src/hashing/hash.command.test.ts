// End to end: the compiled command on worker threads over a folder with 10% bad files.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_HASH_OPTIONS, hashFile } from './hash-file.js'
import { hashPaths } from './hash-pool.js'
import { type ManifestRecord, parseManifest } from './manifest.js'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const compiledMain = join(root, 'dist/src/hashing/hash-main.js')
const compiledWorker = new URL('../../dist/src/hashing/hash-worker.js', import.meta.url)
const fixtures = join(root, 'test/fixtures/pdq/images')

let dir = ''
let images = ''
const bad = new Map<string, RegExp>()

async function syntheticJpeg(path: string, seed: number): Promise<void> {
  const w = 120 + seed * 7
  const h = 90 + seed * 5
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3
      raw[i] = (x * (seed + 1) + y) % 256
      raw[i + 1] = ((x - w / 2) ** 2 + (y - h / 2) ** 2 < (20 + seed) ** 2 ? 250 : 30) % 256
      raw[i + 2] = (y * 4 + seed * 40) % 256
    }
  }
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toFile(path)
}

beforeAll(async () => {
  if (!existsSync(compiledMain))
    throw new Error('dist/ is missing: run `npm run build` (npm test does) first')
  dir = await mkdtemp(join(tmpdir(), 'footprint-hash-'))
  images = join(dir, 'images')
  await mkdir(join(images, 'nested/deeper'), { recursive: true })
  for (let i = 0; i < 14; i++) await syntheticJpeg(join(images, i % 2 ? 'nested' : '', `s${i}.jpg`), i)
  for (const f of [
    'bridge-mods/aaa-orig.jpg',
    'misc-images/modes/LA.png',
    'misc-images/wee.jpg',
    'reg-test-input/labelme-subset/q0746.jpg',
  ]) {
    await copyFile(join(fixtures, f), join(images, 'nested/deeper', f.replaceAll('/', '_')))
  }
  // 2 of 20 files are bad (10%).
  const original = await readFile(join(fixtures, 'bridge-mods/aaa-orig.jpg'))
  await writeFile(join(images, 'truncated.jpg'), original.subarray(0, 30_000))
  bad.set(join(images, 'truncated.jpg'), /corrupt or truncated/)
  await writeFile(join(images, 'nested/notes.jpg'), 'not a picture')
  bad.set(join(images, 'nested/notes.jpg'), /not an image/)
})

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

function checkManifest(records: ManifestRecord[], mode: string): void {
  expect(records).toHaveLength(20)
  expect(new Set(records.map((r) => r.path)).size).toBe(20)
  for (const record of records) {
    expect(record.md5).toMatch(/^[0-9a-f]{32}$/)
    expect(record.sha1).toMatch(/^[0-9a-f]{40}$/)
    const expectedError = bad.get(record.path)
    if (expectedError) {
      expect(record.error).toMatch(expectedError)
      expect(record.pdq).toBeUndefined()
    } else {
      expect(record.error).toBeUndefined()
      expect(record).toMatchObject({ mode, pdq: expect.stringMatching(/^[0-9a-f]{64}$/) })
      expect(record.dihedral).toHaveLength(8)
    }
  }
}

describe('footprint hash (compiled, worker threads)', () => {
  it('hashes a folder with 10% bad files, records every error, then resumes without repeating work', async () => {
    const out = join(dir, 'manifest.jsonl')
    const args = [
      compiledMain,
      'hash',
      images,
      '--mode',
      'full',
      '--dihedral',
      '--threads',
      '2',
      '--out',
      out,
    ]
    const first = await run(process.execPath, args)
    expect(first.stderr).toMatch(/hashed 20 files \(2 with errors\)/)
    const records = parseManifest(await readFile(out, 'utf8'))
    checkManifest(records, 'full')

    // Same per-file function in this thread: identical records.
    const path = records.find((r) => r.path.endsWith('aaa-orig.jpg'))!.path
    const local = await hashFile(path, { ...DEFAULT_HASH_OPTIONS, mode: 'full', dihedral: true })
    expect(records.find((r) => r.path === path)).toEqual(local)

    // Simulate a crash: keep 12 lines and half of the 13th.
    const lines = (await readFile(out, 'utf8')).split('\n')
    await writeFile(out, `${lines.slice(0, 12).join('\n')}\n${lines[12]!.slice(0, 40)}`)
    const second = await run(process.execPath, args)
    expect(second.stderr).toMatch(/hashed 8 files .*skipped 12 already in/)
    checkManifest(parseManifest(await readFile(out, 'utf8')), 'full')
  }, 60_000)

  it('sends the manifest to the server as NDJSON with the bearer token and prints its answer', async () => {
    const received: { headers: IncomingMessage['headers']; body: string; url: string }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      req.on('end', () => {
        received.push({ headers: req.headers, body, url: req.url ?? '' })
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ accepted: body.split('\n').filter(Boolean).length }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const out = join(dir, 'submit.jsonl')
      const result = await run(process.execPath, [
        compiledMain,
        'hash',
        images,
        '--out',
        out,
        '--submit',
        `http://127.0.0.1:${port}/`,
        '--token',
        'secret-token',
      ])
      expect(received).toHaveLength(1)
      const request = received[0]!
      expect(request.url).toBe('/api/hash-manifests')
      expect(request.headers.authorization).toBe('Bearer secret-token')
      expect(request.headers['content-type']).toBe('application/x-ndjson')
      expect(request.body).toBe(await readFile(out, 'utf8'))
      expect(JSON.parse(result.stdout)).toEqual({ accepted: 20 })
    } finally {
      server.close()
    }
  }, 60_000)
})

describe('hashPaths', () => {
  it('gives the same records on worker threads as in this thread', async () => {
    const paths = [join(images, 's0.jpg'), join(images, 'nested/s1.jpg'), join(images, 'truncated.jpg')]
    const collect = async (threads: number): Promise<ManifestRecord[]> => {
      const records: ManifestRecord[] = []
      await hashPaths(paths, DEFAULT_HASH_OPTIONS, (r) => void records.push(r), {
        threads,
        workerUrl: compiledWorker,
      })
      return records.sort((a, b) => a.path.localeCompare(b.path))
    }
    const [threaded, inline] = [await collect(2), await collect(0)]
    expect(threaded).toEqual(inline)
    expect(threaded.filter((r) => r.error)).toHaveLength(1)
  }, 30_000)
})
