import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/database.js'
import { md5Of } from '../../test/factories.js'
import { testApp } from '../../test/http.js'
import { systemActor } from '../access/model.js'
import { createApiToken } from '../access/service.js'
import { formatRecord } from '../hashing/manifest.js'
import { MANIFEST_CONTENT_TYPE, submitManifest } from '../hashing/submit.js'
import { addKnownHashes } from './repo.js'

let t: TestDatabase
let app: FastifyInstance
let token: string
const pdq = 'f'.repeat(32) + '0'.repeat(32)
const near = `e${'f'.repeat(31)}${'0'.repeat(31)}1`

beforeAll(async () => {
  t = await createTestDatabase()
  app = await testApp(t)
  token = await createApiToken(t.db, systemActor('tests'), 'manifest-client')
  await t.db.transaction().execute((tx) =>
    addKnownHashes(tx, { name: 'Manifest set', source: 'tests' }, [
      { algorithm: 'md5', value: md5Of('manifest-known'), category: 'A', series: null },
      { algorithm: 'pdq', value: pdq, category: 'B', series: 'S1' },
    ]),
  )
})
afterAll(async () => {
  await app.close()
  await t.drop()
})

/** fetch, answered by the app in-process: the real client code against the real route. */
const viaApp: typeof fetch = async (input, init) => {
  const response = await app.inject({
    method: 'POST',
    url: new URL(String(input)).pathname,
    headers: init?.headers as Record<string, string>,
    payload: init?.body as string,
  })
  return new Response(response.body, { status: response.statusCode })
}

describe('POST /api/hash-manifests', () => {
  it('answers what `footprint hash --submit` sends with the matches, their distance, category and set', async () => {
    const lines = [
      formatRecord({
        path: 'a.jpg',
        size: 10,
        md5: md5Of('manifest-known'),
        sha1: 'a'.repeat(40),
        pdq: 'a'.repeat(64),
        quality: 100,
        mode: 'reference',
      }),
      formatRecord({
        path: 'b.jpg',
        size: 11,
        md5: md5Of('other'),
        pdq: near,
        quality: 90,
        mode: 'reference',
        dihedral: Array(8).fill(near),
        notes: ['first frame of many'],
      }),
      formatRecord({ path: 'c.jpg', size: 12, md5: md5Of('low'), pdq, quality: 20, mode: 'reference' }),
      formatRecord({ path: 'd.jpg', error: 'not an image' }),
    ].join('')
    const answer = (await submitManifest({ url: 'http://footprint.test/', token }, { lines }, viaApp)) as {
      records: number
      filesMatched: number
      matches: { path: string; algorithm: string; distance: number; category: string; hashSet: string }[]
    }
    expect(answer.records).toBe(4)
    expect(answer.matches.map((m) => [m.path, m.algorithm, m.distance, m.category, m.hashSet])).toEqual([
      ['a.jpg', 'md5', 0, 'A', 'Manifest set'],
      ['b.jpg', 'pdq', 2, 'B', 'Manifest set'],
    ])
  })

  it('refuses anything that is not a manifest line, and anything that is not a manifest', async () => {
    const send = (payload: string | Buffer, contentType: string) =>
      app.inject({
        method: 'POST',
        url: '/api/hash-manifests',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        payload,
      })
    const good = formatRecord({ path: 'a.jpg', md5: md5Of('x'), pdq, quality: 90 })
    const extra = await send(
      `${good}{"path":"b.jpg","pdq":"${pdq}","image":"/9j/4AAQ"}\n`,
      MANIFEST_CONTENT_TYPE,
    )
    expect(extra.statusCode).toBe(422)
    expect(extra.json()).toMatchObject({ line: 2 })
    expect(extra.json().error).toMatch(/unknown field image/)
    const badHash = await send('{"path":"a.jpg","md5":"xyz"}\n', MANIFEST_CONTENT_TYPE)
    expect(badHash.json()).toMatchObject({ line: 1, field: 'md5' })
    expect((await send('not json\n', MANIFEST_CONTENT_TYPE)).statusCode).toBe(422)
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])
    expect((await send(jpeg, 'image/jpeg')).statusCode).toBe(415)
    expect((await send(good, 'application/json')).statusCode).toBe(415)
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/hash-manifests',
      headers: { 'content-type': MANIFEST_CONTENT_TYPE },
      payload: good,
    })
    expect(anonymous.statusCode).toBe(401)
  })
})
