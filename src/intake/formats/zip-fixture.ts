/**
 * A minimal ZIP writer for tests and the fuzz bench: builds bundles in memory so no binary fixtures
 * are kept, and can lie about sizes and names the way a hostile bundle would.
 */
import { crc32, deflateRawSync } from 'node:zlib'

export interface FixtureEntry {
  name: string
  content: string | Uint8Array
  /** Deflate (default) or store. */
  method?: 'deflate' | 'store'
  /** Size to write in the headers instead of the true one. */
  declaredSize?: number
}

export function buildZip(entries: readonly FixtureEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const raw =
      typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : Buffer.from(entry.content)
    const stored = entry.method === 'store'
    const body = stored ? raw : deflateRawSync(raw)
    const name = Buffer.from(entry.name, 'utf8')
    const fields = {
      flags: 0x0800, // names are UTF-8
      method: stored ? 0 : 8,
      crc: crc32(raw),
      compressed: body.length,
      size: entry.declaredSize ?? raw.length,
    }
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(fields.flags, 6)
    local.writeUInt16LE(fields.method, 8)
    local.writeUInt32LE(0, 10) // time and date: 1980-00-00, irrelevant here
    local.writeUInt32LE(fields.crc, 14)
    local.writeUInt32LE(fields.compressed, 18)
    local.writeUInt32LE(fields.size, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(fields.flags, 8)
    central.writeUInt16LE(fields.method, 10)
    central.writeUInt32LE(0, 12)
    central.writeUInt32LE(fields.crc, 16)
    central.writeUInt32LE(fields.compressed, 20)
    central.writeUInt32LE(fields.size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    centrals.push(central, name)
    offset += local.length + name.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}
