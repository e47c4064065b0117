import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder holding package.json, found from here whether we run from src/ (tests) or dist/src/. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the Footprint project folder (no package.json above)')
    dir = parent
  }
  return dir
}

export const projectRoot = findProjectRoot()
