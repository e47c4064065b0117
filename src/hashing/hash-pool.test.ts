import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEFAULT_HASH_OPTIONS } from './hash-file.js'
import { hashPaths } from './hash-pool.js'
import type { ManifestRecord } from './manifest.js'

let dir = ''
let fakeWorker: URL

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footprint-pool-'))
  // A stand-in worker that dies on any path containing "crash", as a native crash in a decoder would.
  const source = `import { parentPort } from 'node:worker_threads'
parentPort.on('message', (job) => {
  if (job.path.includes('crash')) process.exit(3)
  setTimeout(() => parentPort.postMessage({ id: job.id, record: { path: job.path, pdq: '${'0'.repeat(64)}' } }), 5)
})
`
  const file = join(dir, 'fake-worker.mjs')
  await writeFile(file, source)
  fakeWorker = pathToFileURL(file)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('survives a worker dying: the culprit gets an error, the files in flight with it are retried', async () => {
  const paths = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'crash-me.jpg' : `ok-${i}.jpg`))
  const records: ManifestRecord[] = []
  await hashPaths(paths, DEFAULT_HASH_OPTIONS, (r) => void records.push(r), {
    threads: 2,
    workerUrl: fakeWorker,
  })
  expect(records.map((r) => r.path).sort()).toEqual([...paths].sort())
  const failed = records.filter((r) => r.error !== undefined)
  expect(failed.map((r) => r.path)).toEqual(['crash-me.jpg'])
  expect(failed[0]?.error).toMatch(/worker stopped on this file/)
})

it('gives up with an error when workers cannot start, instead of restarting them forever', async () => {
  const missing = pathToFileURL(join(dir, 'no-such-worker.js'))
  await expect(
    hashPaths(['a.jpg', 'b.jpg'], DEFAULT_HASH_OPTIONS, () => {}, { threads: 2, workerUrl: missing }),
  ).rejects.toThrow(/fail to start/)
})
