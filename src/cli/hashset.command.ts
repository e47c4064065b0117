import { once } from 'node:events'
import { createWriteStream, existsSync } from 'node:fs'
import type { Writable } from 'node:stream'
import type { Command } from 'commander'
import { type ExportFormat, exportHashSet } from '../matching/export.js'
import { HashListError, UK_CATEGORIES, type UkCategory } from '../matching/formats/hash-list-entry.js'
import { HASH_LIST_FORMATS, PARTIAL_FORMATS, readCategoryMapping } from '../matching/hash-list-sources.js'
import { importHashList } from '../matching/import.js'
import { listHashSets } from '../matching/library-repo.js'
import { setHashSetState, withdrawHashes } from '../matching/withdraw.js'
import type { HashListFormat } from '../platform/schema.js'
import { withRuntime } from './context.js'

interface ImportOptions {
  set: string
  format: string
  source?: string
  handling?: string
  setVersion?: string
  profile?: string
  categoryMap?: string
  category?: string
  series?: string
  partial?: boolean
  rejects?: string
  replace?: boolean
}

async function writeTo(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain')
}

async function closeStream(stream: Writable): Promise<void> {
  stream.end()
  await once(stream, 'finish')
}

/** Checks the options before the database is opened; returns an error message or null. */
function importProblem(file: string, options: ImportOptions): string | null {
  if (!existsSync(file)) return `${file}: no such file`
  if (!(HASH_LIST_FORMATS as readonly string[]).includes(options.format))
    return `--format must be one of ${HASH_LIST_FORMATS.join(', ')}`
  if (options.partial && !options.rejects) return '--partial needs --rejects FILE for the lines it skips'
  if (!options.partial && options.rejects) return '--rejects is only used with --partial'
  if (options.partial && !(PARTIAL_FORMATS as readonly string[]).includes(options.format))
    return `--partial is for ${PARTIAL_FORMATS.join(' and ')} lists; a ${options.format} file is all or nothing`
  if (options.category && !(UK_CATEGORIES as readonly string[]).includes(options.category))
    return `--category must be one of ${UK_CATEGORIES.join(', ')}`
  return null
}

export function registerHashsetCommands(program: Command) {
  const hashset = program
    .command('hashset')
    .description('The known-image hash library: import, export, list, withdraw')

  hashset
    .command('import')
    .description(
      'Import a hash list into a set. A bad line or record refuses the whole file (nothing written) unless --partial.',
    )
    .argument('<file>', 'the hash list')
    .requiredOption('--set <name>', 'the hash set (created if new)')
    .requiredOption('--format <format>', `${HASH_LIST_FORMATS.join('|')}`)
    .option('--source <source>', 'who supplies the set (for a new set)')
    .option('--handling <marking>', 'handling marking, e.g. OFFICIAL-SENSITIVE')
    .option('--set-version <version>', "the list's version")
    .option('--profile <profile>', 'VICS: read Category codes with this profile (Default, US, UK, CUSTOM)')
    .option('--category-map <file>', 'VICS: JSON {"PROFILE": {"CODE": "A|B|C|not_indecent|uncategorised"}}')
    .option('--category <category>', `PDQ text: the category of every entry (${UK_CATEGORIES.join(', ')})`)
    .option('--series <series>', 'PDQ text: the series of every entry')
    .option('--partial', 'skip bad lines (pdq, csv) and write them to --rejects')
    .option('--rejects <file>', 'JSON Lines file for the lines skipped in --partial mode')
    .option('--replace', 'the file is the whole set: withdraw live entries not in it')
    .action(async (file: string, options: ImportOptions) => {
      const problem = importProblem(file, options)
      if (problem) {
        console.error(problem)
        process.exitCode = 2
        return
      }
      const categoryMapping = options.categoryMap ? await readCategoryMapping(options.categoryMap) : undefined
      const rejects = options.partial && options.rejects ? createWriteStream(options.rejects) : null
      try {
        const summary = await withRuntime(async ({ runtime, actor, drain }) => {
          const result = await importHashList(runtime.pool, actor, {
            path: file,
            format: options.format as HashListFormat,
            set: {
              name: options.set,
              source: options.source ?? `${options.format} import`,
              handling: options.handling,
              version: options.setVersion,
            },
            read: {
              profile: options.profile,
              categoryMapping,
              category: options.category as UkCategory | undefined,
              series: options.series,
            },
            partial: rejects
              ? { reject: (rejection) => writeTo(rejects, `${JSON.stringify(rejection)}\n`) }
              : undefined,
            replace: options.replace ?? false,
          })
          await drain()
          return result
        })
        console.log(
          `${summary.hashSet}: ${summary.read} read, ${summary.added} added, ${summary.superseded} superseded, ` +
            `${summary.unchanged} unchanged, ${summary.withdrawn} withdrawn, ${summary.rejected} rejected (import ${summary.importId}).`,
        )
      } catch (error) {
        if (!(error instanceof HashListError)) throw error
        reportRefusal(file, error)
        process.exitCode = 1
      } finally {
        if (rejects) await closeStream(rejects)
      }
    })

  hashset
    .command('export')
    .description('Export the live entries of a set as VICS 2.0 JSON or PDQ text')
    .requiredOption('--set <name>', 'the hash set')
    .requiredOption('--format <format>', 'vics|pdq')
    .option('--out <file>', 'write here instead of standard output')
    .option('--profile <profile>', 'VICS profile to write (default UK)')
    .option('--category-map <file>', 'VICS: JSON {"PROFILE": {"CODE": "A|B|C|not_indecent"}}')
    .action(
      async (options: {
        set: string
        format: string
        out?: string
        profile?: string
        categoryMap?: string
      }) => {
        if (options.format !== 'vics' && options.format !== 'pdq') {
          console.error('--format must be vics or pdq')
          process.exitCode = 2
          return
        }
        const categoryMapping = options.categoryMap
          ? await readCategoryMapping(options.categoryMap)
          : undefined
        const out = options.out ? createWriteStream(options.out) : process.stdout
        const entries = await withRuntime(({ runtime, actor }) =>
          exportHashSet(
            runtime.db,
            actor,
            {
              set: options.set,
              format: options.format as ExportFormat,
              profile: options.profile,
              categoryMapping,
              destination: options.out ?? 'standard output',
            },
            (chunk) => writeTo(out, chunk),
          ),
        )
        if (options.out) {
          await closeStream(out)
          console.error(`${entries} entries written to ${options.out}`)
        }
      },
    )

  hashset
    .command('list')
    .description('The hash sets with their live entries per algorithm')
    .action(async () => {
      const sets = await withRuntime(({ runtime }) => listHashSets(runtime.db))
      for (const s of sets) {
        console.log(
          `${s.name}\t${s.enabled ? 'enabled' : 'DISABLED'}\t${s.source}\t${s.handling}\tversion ${s.version ?? '-'}\t` +
            `md5 ${s.md5}\tsha1 ${s.sha1}\tpdq ${s.pdq}\twithdrawn ${s.withdrawn}`,
        )
      }
      if (sets.length === 0)
        console.log('No hash sets yet: footprint hashset import FILE --set NAME --format ...')
    })

  hashset
    .command('withdraw')
    .description('Withdraw entries (kept as history, never counted again), or disable/enable a whole set')
    .requiredOption('--set <name>', 'the hash set')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .argument('[values...]', 'hash values to withdraw')
    .option('--all', 'withdraw every live entry of the set')
    .option('--disable', 'disable the set instead (reversible with --enable)')
    .option('--enable', 'enable a disabled set')
    .action(
      async (
        values: string[],
        options: { set: string; reason: string; all?: boolean; disable?: boolean; enable?: boolean },
      ) => {
        const modes = [values.length > 0, options.all, options.disable, options.enable].filter(Boolean).length
        if (modes !== 1) {
          console.error('Give hash values, or exactly one of --all, --disable, --enable')
          process.exitCode = 2
          return
        }
        const message = await withRuntime(async ({ runtime, actor, drain }) => {
          let text: string
          if (options.disable || options.enable) {
            const changed = await setHashSetState(
              runtime.db,
              actor,
              options.set,
              !options.disable,
              options.reason,
            )
            text = `${options.set}: ${changed ? (options.disable ? 'disabled' : 'enabled') : 'unchanged'}`
          } else {
            const withdrawn = await withdrawHashes(runtime.db, actor, {
              set: options.set,
              values: options.all ? 'all' : values,
              reason: options.reason,
            })
            text = `${options.set}: ${withdrawn} entr${withdrawn === 1 ? 'y' : 'ies'} withdrawn`
          }
          await drain()
          return text
        })
        console.log(message)
      },
    )
}

function reportRefusal(file: string, error: HashListError): void {
  console.error(`refused: ${file}: ${error.message}`)
  console.error('Nothing was imported.')
}
