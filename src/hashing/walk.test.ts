import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { collectFiles } from './walk.js'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footprint-walk-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('walks folders recursively in name order, follows file links but not folder links, and reports bad paths', async () => {
  await mkdir(join(dir, 'b/c'), { recursive: true })
  for (const f of ['a.jpg', 'b/z.png', 'b/c/y.gif']) await writeFile(join(dir, f), 'x')
  await symlink(join(dir, 'a.jpg'), join(dir, 'b/link.jpg'))
  await symlink(join(dir, 'b'), join(dir, 'b/c/loop'))
  await symlink(join(dir, 'missing'), join(dir, 'dangling.jpg'))
  const entries = await collectFiles([dir, join(dir, 'nope')])
  expect(entries.map((e) => e.path.slice(dir.length + 1) + (e.error ? ' !' : ''))).toEqual([
    'a.jpg',
    'b/c/y.gif',
    'b/link.jpg',
    'b/z.png',
    'dangling.jpg !',
    'nope !',
  ])
})
