/**
 * Streaming VICS 2.0 `#Media` hash-set writer (formats.md §2: "export #Media hash sets for distribution
 * of known-hash lists to forces", default profile UK). One Media per entry: entries arrive one hash at
 * a time and pairing an MD5 with its SHA1 would need the whole list in memory. MD5/SHA1 go in their
 * own fields (upper case, as VICS tools write them), PDQ as an AlternativeHash. MediaID carries
 * `sourceReference` when that is an integer (written unquoted, so int64 values stay exact); other
 * references, and `quality`, have no VICS field and are not written.
 */
import { type HashListEntry, HashListError, normaliseHashValue } from './hash-list-entry.js'
import {
  DEFAULT_VICS_CATEGORY_MAPPING,
  type VicsCategoryMapping,
  vicsCategoryToCode,
} from './vics-categories.js'

export interface VicsWriteOptions {
  profile?: string
  categoryMapping?: VicsCategoryMapping
}

const INT64 = /^-?\d{1,19}$/

export async function* writeVics(
  entries: AsyncIterable<HashListEntry> | Iterable<HashListEntry>,
  options: VicsWriteOptions = {},
): AsyncGenerator<string> {
  const profile = options.profile ?? 'UK'
  const mapping = options.categoryMapping ?? DEFAULT_VICS_CATEGORY_MAPPING
  if (!/^[A-Za-z0-9_-]+$/.test(profile))
    throw new HashListError(`bad VICS profile name ${JSON.stringify(profile)}`)
  yield `{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/${profile}/$metadata#Media","value":[`
  let record = 0
  for await (const entry of entries) {
    record++
    const value = normaliseHashValue(entry.algorithm, entry.value, { record, field: 'value' })
    const parts: string[] = []
    if (entry.sourceReference !== null && INT64.test(entry.sourceReference))
      parts.push(`"MediaID":${entry.sourceReference}`)
    if (entry.algorithm === 'md5') parts.push(`"MD5":"${value.toUpperCase()}"`)
    else if (entry.algorithm === 'sha1') parts.push(`"SHA1":"${value.toUpperCase()}"`)
    else parts.push(`"AlternativeHashes":[{"HashName":"PDQ","HashValue":"${value}"}]`)
    const code = vicsCategoryToCode(mapping, profile, entry.category)
    if (code === undefined) {
      throw new HashListError(
        `no VICS Category code is configured for category ${entry.category} in profile ${profile}`,
        {
          record,
          field: 'category',
        },
      )
    }
    if (code !== null) parts.push(`"Category":${code}`)
    if (entry.series !== null) parts.push(`"Series":${JSON.stringify(entry.series)}`)
    if (entry.victimIdentified !== null) parts.push(`"VictimIdentified":${entry.victimIdentified}`)
    yield `${record === 1 ? '' : ','}\n{${parts.join(',')}}`
  }
  yield '\n]}\n'
}
