// MD5 and SHA-1 of a file's exact bytes, each file read once. Bytes are kept for decoding only up to a
// limit; larger files (a video, an archive) are streamed, so they are still digested in bounded memory.
import { createHash } from 'node:crypto'
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs'

export interface FileDigests {
  size: number
  md5: string
  sha1: string
}

export interface DigestedFile extends FileDigests {
  /** The file content, or null when it was larger than `keepUpTo`. */
  bytes: Buffer | null
}

export function digestBytes(bytes: Uint8Array): FileDigests {
  return {
    size: bytes.byteLength,
    md5: createHash('md5').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
  }
}

/**
 * Digests a file. Files up to `keepUpTo` bytes (the decode limit) are read whole in one call and
 * returned for decoding, the common case for images; anything larger is streamed in 1 MiB chunks.
 */
export async function digestFile(path: string, keepUpTo = 0): Promise<DigestedFile> {
  const kept = readWhole(path, keepUpTo)
  if (kept) return { ...digestBytes(kept), bytes: kept }
  return { ...(await digestStream(path)), bytes: null }
}

/**
 * The whole file if it is at most `limit` bytes, else null. Synchronous on purpose: four thread-pool
 * round trips (open, stat, read, close) cost more than reading a local image, and in the hashing
 * workers nothing else waits on this thread's event loop but the next decode's completion.
 */
function readWhole(path: string, limit: number): Buffer | null {
  const fd = openSync(path, 'r')
  try {
    const { size } = fstatSync(fd)
    if (size > limit) return null
    const bytes = Buffer.allocUnsafe(size)
    let filled = 0
    while (filled < size) {
      const read = readSync(fd, bytes, filled, size - filled, filled)
      if (read === 0) break
      filled += read
    }
    // A file that shrank while being read is hashed as it was actually read.
    return filled === size ? bytes : bytes.subarray(0, filled)
  } finally {
    closeSync(fd)
  }
}

/** MD5 and SHA-1 in bounded memory, for files of any size. */
export async function digestStream(path: string): Promise<FileDigests> {
  const md5 = createHash('md5')
  const sha1 = createHash('sha1')
  let size = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const data = chunk as Buffer
    md5.update(data)
    sha1.update(data)
    size += data.length
  }
  return { size, md5: md5.digest('hex'), sha1: sha1.digest('hex') }
}
