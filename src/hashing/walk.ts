// Expands the command's PATH arguments into files. Directories are walked recursively in name order
// so that runs are reproducible; symbolic links to directories are not followed (no loops).
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

export interface WalkEntry {
  path: string
  /** Set when the path or a folder under it could not be read; it becomes a manifest error line. */
  error?: string
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

async function* walkDirectory(dir: string): AsyncGenerator<WalkEntry> {
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    yield { path: dir, error: `cannot read folder: ${describe(error)}` }
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* walkDirectory(path)
    else if (entry.isFile()) yield { path }
    else if (entry.isSymbolicLink()) {
      try {
        if ((await stat(path)).isFile()) yield { path }
      } catch (error) {
        yield { path, error: `broken link: ${describe(error)}` }
      }
    }
  }
}

export async function* walkPaths(paths: readonly string[]): AsyncGenerator<WalkEntry> {
  for (const path of paths) {
    let info: import('node:fs').Stats
    try {
      info = await stat(path)
    } catch (error) {
      yield { path, error: `cannot read: ${describe(error)}` }
      continue
    }
    if (info.isDirectory()) yield* walkDirectory(path)
    else yield { path }
  }
}

export async function collectFiles(paths: readonly string[]): Promise<WalkEntry[]> {
  const files: WalkEntry[] = []
  for await (const entry of walkPaths(paths)) files.push(entry)
  return files
}
