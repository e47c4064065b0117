import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatRecord, type ManifestRecord, openManifest, parseManifest, parseRecord } from './manifest.js'
import { renderProgress } from './progress.js'

const good: ManifestRecord = {
  path: 'a/b.jpg',
  size: 10,
  md5: 'd41d8cd98f00b204e9800998ecf8427e',
  sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  pdq: 'f'.repeat(64),
  quality: 90,
  mode: 'full',
}

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footprint-manifest-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('manifest lines', () => {
  it('round-trips records, including errors', () => {
    const failed: ManifestRecord = { path: 'x', size: 0, error: 'empty file (0 bytes)' }
    expect(parseManifest(formatRecord(good) + formatRecord(failed))).toEqual([good, failed])
  })

  it('rejects lines that are not records', () => {
    expect(parseRecord('{"path":"a"}')).toBeNull()
    expect(parseRecord('{"path":"a","pdq":"zz"}')).toBeNull()
    expect(parseRecord('not json')).toBeNull()
  })
})

describe('resume', () => {
  it('skips recorded paths and cuts a half-written last line before appending', async () => {
    const file = join(dir, 'm.jsonl')
    await writeFile(file, `${formatRecord(good)}{"path":"c.jpg","md5":"d41d8`)
    const writer = await openManifest(file)
    expect([...writer.done]).toEqual(['a/b.jpg'])
    await writer.append({ path: 'c.jpg', error: 'not an image' })
    await writer.close()
    const text = await readFile(file, 'utf8')
    expect(parseManifest(text).map((r) => r.path)).toEqual(['a/b.jpg', 'c.jpg'])
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .every((line) => parseRecord(line) !== null),
    ).toBe(true)
  })
})

describe('progress line', () => {
  it('shows count, rate and time left', () => {
    expect(renderProgress(50, 200, 2, 10, 10)).toBe('[###-------] 50/200 25% 5.0 files/s 00:30 left 2 errors')
  })
})
