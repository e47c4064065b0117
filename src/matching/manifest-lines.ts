import { z } from 'zod'
import { type HashListSource, textLines } from './formats/text-source.js'
import type { LibraryMatch, LibraryMatcher, Probe } from './matcher.js'

/**
 * One line of a `footprint hash` manifest, exactly: file facts and hashes, nothing else. Unknown
 * fields are refused, so nothing but hashes (never image bytes, under any field name) gets in.
 */
const hex = (digits: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${digits}}$`), `${digits} hex digits`)
const manifestLine = z.strictObject({
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative().optional(),
  md5: hex(32).optional(),
  sha1: hex(40).optional(),
  pdq: hex(64).optional(),
  quality: z.number().int().min(0).max(100).optional(),
  mode: z.enum(['reference', 'full']).optional(),
  dihedral: z.array(hex(64)).length(8).optional(),
  notes: z.array(z.string().max(1000)).max(50).optional(),
  error: z.string().max(4000).optional(),
})

export type ManifestLine = z.infer<typeof manifestLine>

export class ManifestLineError extends Error {
  constructor(
    readonly line: number,
    readonly field: string | null,
    reason: string,
  ) {
    super(`line ${line}${field ? `, field ${field}` : ''}: ${reason}`)
    this.name = 'ManifestLineError'
  }
}

export function parseManifestLine(text: string, line: number): ManifestLine {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ManifestLineError(line, null, 'not a JSON object')
  }
  const parsed = manifestLine.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue?.path.length ? issue.path.join('.') : null
    const unknown = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : null
    throw new ManifestLineError(
      line,
      unknown ? null : field,
      unknown ?? issue?.message ?? 'not a manifest line',
    )
  }
  return parsed.data
}

export interface NumberedManifestLine {
  line: number
  record: ManifestLine
}

/** Every record of a manifest; the first bad line ends the read with its ManifestLineError. */
export async function* readManifest(source: HashListSource): AsyncGenerator<NumberedManifestLine> {
  for await (const { line, text } of textLines(source)) {
    if (text.trim() === '') continue
    yield { line, record: parseManifestLine(text, line) }
  }
}

export function probeOf(record: ManifestLine): Probe {
  return {
    md5: record.md5?.toLowerCase(),
    sha1: record.sha1?.toLowerCase(),
    pdq: record.pdq?.toLowerCase(),
    quality: record.quality,
    dihedral: record.dihedral?.map((h) => h.toLowerCase()),
  }
}

export interface ManifestMatch extends LibraryMatch {
  line: number
  path: string
}

/** The matches of a batch of manifest records, each with the line and path it is for. */
export async function matchManifestRecords(
  matcher: LibraryMatcher,
  records: readonly NumberedManifestLine[],
): Promise<ManifestMatch[]> {
  const results = await matcher.match(records.map((r) => probeOf(r.record)))
  return records.flatMap((r, i) =>
    (results[i] ?? []).map((match) => ({ line: r.line, path: r.record.path, ...match })),
  )
}
