import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { refusalOf } from '../../../test/refusals.js'
import { RefusalError } from '../model.js'
import { mutatedCsvDocuments } from './mutations.js'
import { parseP2pCsv } from './p2p-csv.js'

// Synthetic: documentation IPs (RFC 5737), hashes of arbitrary strings.
const md5a = '93c3b04d2cbd088c8fe84931ed5952ea'
const md5b = '0cc175b9c0f1b6a831c399e269772661'
const sha1 = '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8'
const sightingsCsv = [
  'IP,Port,Time,GUID,Client,Network,MD5,SHA1,InfoHash,File Name',
  `192.0.2.10,6346,2025-03-01T10:00:00Z,AAAA0001,Shareaza,Gnutella,${md5a},${sha1},,a.jpg`,
  `192.0.2.10,6346,2025-03-01T11:00:00Z,AAAA0001,Shareaza,Gnutella,${md5a},${sha1},,a.jpg`,
  `192.0.2.10,6347,2025-03-01T23:59:59Z,AAAA0001,Shareaza,Gnutella,${md5b},,,b.jpg`,
  `192.0.2.10,6346,2025-03-02T10:00:00Z,AAAA0001,Shareaza,Gnutella,${md5a},,,a.jpg`,
  `192.0.2.10,6346,2025-03-01T12:00:00Z,BBBB0002,Shareaza,Gnutella,${md5a},,,a.jpg`,
  `198.51.100.7,51413,2025-03-01T09:00:00+01:00,,qBittorrent,BitTorrent,,,${sha1},`,
].join('\n')

describe('parseP2pCsv', () => {
  const referrals = parseP2pCsv(sightingsCsv)

  it('rolls sightings up per peer (IP + GUID) and 24-hour window, ordered by first sighting', () => {
    expect(
      referrals.map((r) => [r.identifiers.find((i) => i.kind === 'device')?.value ?? null, r.incidentAt]),
    ).toEqual([
      [null, '2025-03-01T09:00:00+01:00'],
      ['AAAA0001', '2025-03-01T10:00:00Z'],
      ['BBBB0002', '2025-03-01T12:00:00Z'],
      ['AAAA0001', '2025-03-02T10:00:00Z'],
    ])
    for (const referral of referrals) {
      expect(referral.source).toBe('p2p-csv')
      expect(referral.sourceReference).toBeNull()
    }
  })

  it('keeps every sighting as an IP with its time and port, and each distinct file once', () => {
    const day = referrals[1]!
    expect(day.platform).toBe('Gnutella')
    expect(day.persons).toEqual([
      expect.objectContaining({ role: 'peer', personIndex: 0, platform: 'Shareaza' }),
    ])
    expect(
      day.identifiers.filter((i) => i.kind === 'ip').map((i) => [i.path, i.value, i.observedAt, i.port]),
    ).toEqual([
      ['line 2', '192.0.2.10', '2025-03-01T10:00:00Z', 6346],
      ['line 3', '192.0.2.10', '2025-03-01T11:00:00Z', 6346],
      ['line 4', '192.0.2.10', '2025-03-01T23:59:59Z', 6347],
    ])
    expect(day.identifiers.find((i) => i.kind === 'device')).toMatchObject({
      valueType: 'GUID',
      path: 'line 2',
    })
    expect(
      day.files.map((f) => [f.path, f.fileName, f.hashes.map((h) => `${h.algorithm}:${h.value}`)]),
    ).toEqual([
      ['line 2', 'a.jpg', [`md5:${md5a}`, `sha1:${sha1}`]],
      ['line 4', 'b.jpg', [`md5:${md5b}`]],
    ])
    const torrent = referrals[0]!
    expect(torrent.files[0]?.hashes).toEqual([{ algorithm: 'other', value: sha1, label: 'infohash' }])
  })

  it('honours a configured window and header aliases', () => {
    const csv = [
      'ip_address;peer_port;timestamp;client_guid;file_md5'.replaceAll(';', ','),
      `192.0.2.1,1,2025-03-01T00:00:00Z,G,${md5a}`,
      `192.0.2.1,1,2025-03-01T01:30:00Z,G,${md5a}`,
    ].join('\n')
    expect(parseP2pCsv(csv, { windowHours: 1 })).toHaveLength(2)
    expect(parseP2pCsv(csv)).toHaveLength(1)
  })

  it.each([
    ['Port,Time,MD5', 'line 1, field ip: the header has no ip column'],
    [
      `IP,Time,MD5\n192.0.2.1,2025-03-01 10:00:00,${md5a}`,
      'line 2, field time: "2025-03-01 10:00:00" is not an ISO 8601',
    ],
    [`IP,Time,MD5\n192.0.2.1,2025-03-01T10:00:00Z,xyz`, 'line 2, field md5: "xyz" is not a md5 hash'],
    [`IP,Time,MD5\n,2025-03-01T10:00:00Z,${md5a}`, 'line 2, field ip: no IP address'],
    [
      `IP,Time,Port,MD5\n192.0.2.1,2025-03-01T10:00:00Z,70000,${md5a}`,
      'line 2, field port: "70000" is not a port',
    ],
    [`IP,Time,MD5\n192.0.2.1,2025-03-01T10:00:00Z,`, 'line 2, field md5: no file hash'],
    [`IP,Time,MD5\n192.0.2.1,2025-03-01T10:00:00Z`, 'line 2: not readable as CSV: Invalid Record Length'],
    ['IP,Address,Time', 'line 1, field Address: two columns mean ip'],
  ])('refuses %j naming line and field', (csv, expected) => {
    expect(refusalOf(() => parseP2pCsv(csv)).message).toContain(expected)
  })

  it('never crashes under mutation', () => {
    fc.assert(
      fc.property(mutatedCsvDocuments(sightingsCsv), fc.integer({ min: 1, max: 48 }), (text, windowHours) => {
        try {
          parseP2pCsv(text, { windowHours })
        } catch (error) {
          if (!(error instanceof RefusalError)) throw error
          expect(error.message.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 3000 },
    )
  })
})
