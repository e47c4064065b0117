/**
 * Seed documents for fuzzing (bench/fuzz.ts): the fixtures in test/fixtures/cybertipline and a small
 * synthetic sightings CSV and bundle. Only read by the fuzz bench; nothing here ships to users.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FixtureEntry } from './zip-fixture.js'

/** Source tree (src/intake/formats) or build output (dist/src/intake/formats). */
function fixturesFolder(): string {
  for (const relative of [
    '../../../test/fixtures/cybertipline/',
    '../../../../test/fixtures/cybertipline/',
  ]) {
    const folder = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(folder)) return folder
  }
  throw new Error('test/fixtures/cybertipline not found; run from a checkout of the repository')
}

export function leJsonSeed(): string {
  return readFileSync(`${fixturesFolder()}le-report-shape.SYNTHETIC.json`, 'utf8')
}

export function xmlSeeds(): string[] {
  const folder = fixturesFolder()
  return readdirSync(folder)
    .filter((name) => /^(report|filedetails)-.*\.xml$/.test(name))
    .map((name) => readFileSync(folder + name, 'utf8'))
}

// Documentation IPs (RFC 5737); hashes of arbitrary strings.
export const SIGHTINGS_CSV_SEED = [
  'IP,Port,Time,GUID,Client,Network,MD5,SHA1,InfoHash,File Name',
  '192.0.2.10,6346,2025-03-01T10:00:00Z,AAAA0001,Shareaza,Gnutella,93c3b04d2cbd088c8fe84931ed5952ea,86f7e437faa5a7fce15d1ddcb9eaeaea377667b8,,a.jpg',
  '192.0.2.10,6347,2025-03-01T23:59:59Z,AAAA0001,Shareaza,Gnutella,0cc175b9c0f1b6a831c399e269772661,,,b.jpg',
  '192.0.2.10,6346,2025-03-02T10:00:00Z,AAAA0001,Shareaza,Gnutella,93c3b04d2cbd088c8fe84931ed5952ea,,,a.jpg',
  '198.51.100.7,51413,2025-03-01T09:00:00+01:00,,qBittorrent,BitTorrent,,,86f7e437faa5a7fce15d1ddcb9eaeaea377667b8,',
].join('\n')

export function bundleSeed(): FixtureEntry[] {
  return [
    { name: 'Report_900000001.json', content: leJsonSeed() },
    { name: 'Report_900000001.pdf', content: '%PDF-1.4 placeholder', method: 'store' },
    { name: 'files/900000001-file-1.jpg', content: 'placeholder media bytes', method: 'store' },
  ]
}
