import { describe, expect, it } from 'vitest'
import { detectFormat } from './detect.js'
import { buildZip } from './zip-fixture.js'

const text = (value: string) => new TextEncoder().encode(value)

describe(detectFormat.name, () => {
  it.each([
    ['bundle.zip', buildZip([{ name: 'r.json', content: '{}' }]), 'zip-bundle'],
    ['renamed.dat', buildZip([{ name: 'r.json', content: '{}' }]), 'zip-bundle'],
    ['report.json', text('\uFEFF  {"reportId": 1}'), 'cybertipline-le-json'],
    ['report.txt', text('<?xml version="1.0"?>\n<!-- c --><report>'), 'cybertipline-xml'],
    ['details.xml', text('<fileDetails><reportId>1</reportId>'), 'cybertipline-xml'],
    ['evil.xml', text('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), 'cybertipline-xml'],
    ['sightings.txt', text('IP Address,Port,Timestamp,MD5\n'), 'p2p-csv'],
    ['sightings.csv', text('a,b,c\n'), 'p2p-csv'],
    ['scan.pdf', text('%PDF-1.7'), null],
    ['notes.txt', text('hello'), null],
  ])('%s → %s', (fileName, bytes, format) => {
    const detection = detectFormat(fileName, bytes)
    expect(detection.format).toBe(format)
    expect(detection.reason.length).toBeGreaterThan(0)
  })
})
