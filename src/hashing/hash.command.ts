// `footprint hash PATH...`: hashes files locally into a JSON Lines manifest, optionally sending the
// manifest (hashes only, never images) to a Footprint server.
import { resolve } from 'node:path'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { DEFAULT_DECODE_LIMITS } from './decode.js'
import type { HashOptions } from './hash-file.js'
import { defaultThreads, hashPaths } from './hash-pool.js'
import { PDQ_MODES, type PdqMode } from './luma.js'
import { formatRecord, type ManifestRecord, openManifest } from './manifest.js'
import { ProgressBar, type ProgressStream } from './progress.js'
import { submitManifest } from './submit.js'
import { collectFiles } from './walk.js'

export interface HashCommandOptions {
  mode: PdqMode
  dihedral: boolean
  out?: string
  threads: number
  progress: boolean
  submit?: string
  token?: string
  maxPixels: number
  maxBytes: number
  timeout: number
  /** Compiled worker script override, for tests that run TypeScript sources. */
  workerUrl?: URL
}

export interface HashCommandIo {
  stdout: { write(text: string): unknown }
  stderr: ProgressStream & { isTTY?: boolean }
}

export interface HashSummary {
  hashed: number
  errors: number
  skipped: number
  seconds: number
  response?: unknown
}

export async function runHashCommand(
  paths: readonly string[],
  options: HashCommandOptions,
  io: HashCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<HashSummary> {
  if (options.submit && !options.token) throw new Error('--submit needs --token (or FOOTPRINT_TOKEN)')
  const started = performance.now()
  const writer = options.out ? await openManifest(options.out) : null
  const outPath = options.out ? resolve(options.out) : null
  const entries = (await collectFiles(paths)).filter((e) => resolve(e.path) !== outPath)
  const pending = entries.filter((e) => !writer?.done.has(e.path))
  const skipped = entries.length - pending.length
  let lines = ''
  let errors = 0
  const showProgress = options.progress || io.stderr.isTTY === true
  const progress = showProgress ? new ProgressBar(pending.length, io.stderr) : null

  const sink = async (record: ManifestRecord): Promise<void> => {
    if (record.error !== undefined) errors++
    if (writer) await writer.append(record)
    else {
      const line = formatRecord(record)
      io.stdout.write(line)
      if (options.submit) lines += line
    }
    progress?.tick(record.error !== undefined)
  }
  try {
    for (const entry of pending)
      if (entry.error !== undefined) await sink({ path: entry.path, error: entry.error })
    const hashOptions: HashOptions = {
      mode: options.mode,
      dihedral: options.dihedral,
      limits: { maxPixels: options.maxPixels, maxBytes: options.maxBytes, timeoutSeconds: options.timeout },
    }
    const files = pending.filter((e) => e.error === undefined).map((e) => e.path)
    await hashPaths(files, hashOptions, sink, {
      threads: options.threads,
      ...(options.workerUrl ? { workerUrl: options.workerUrl } : {}),
    })
  } finally {
    await writer?.close()
  }
  progress?.finish()
  const seconds = (performance.now() - started) / 1000
  const summary: HashSummary = { hashed: pending.length, errors, skipped, seconds }
  io.stderr.write(
    `hashed ${pending.length} files (${errors} with errors) in ${seconds.toFixed(1)} s` +
      (skipped > 0 ? `; skipped ${skipped} already in ${options.out}` : '') +
      '\n',
  )
  if (options.submit && options.token) {
    const manifest = options.out ? { file: options.out } : { lines }
    summary.response = await submitManifest({ url: options.submit, token: options.token }, manifest)
    const answer = `${JSON.stringify(summary.response, null, 2)}\n`
    // With no --out the manifest itself is on stdout, so the answer goes to stderr.
    if (options.out) io.stdout.write(answer)
    else io.stderr.write(answer)
  }
  return summary
}

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number')
  return n
}

export function registerHashCommand(program: Command): void {
  program
    .command('hash')
    .description(
      'Hash image files locally (PDQ, MD5, SHA-1) into a JSON Lines manifest; images never leave this machine',
    )
    .argument('<paths...>', 'files or folders (walked recursively)')
    .addOption(
      new Option(
        '--mode <mode>',
        'reference: >512 px resized to 512×512 first (C++ CLI); full: full resolution (HMA)',
      )
        .choices(PDQ_MODES)
        .default('reference'),
    )
    .option('--dihedral', 'also record the 8 dihedral (rotation/flip) hashes', false)
    .option('--out <file>', 'append to this manifest; files already in it are skipped (resume)')
    .option(
      '--threads <n>',
      'worker threads (0 = hash in the main thread)',
      positiveInteger,
      defaultThreads(),
    )
    .option('--progress', 'show the progress bar even when stderr is not a terminal', false)
    .option('--submit <url>', 'send the manifest to this Footprint server (POST /api/hash-manifests)')
    .option('--token <token>', 'API token for --submit (default: $FOOTPRINT_TOKEN)')
    .option(
      '--max-pixels <n>',
      'refuse images with more pixels',
      positiveInteger,
      DEFAULT_DECODE_LIMITS.maxPixels,
    )
    .option(
      '--max-bytes <n>',
      'do not decode larger files (digests only)',
      positiveInteger,
      DEFAULT_DECODE_LIMITS.maxBytes,
    )
    .option(
      '--timeout <seconds>',
      'decode time limit per image',
      positiveInteger,
      DEFAULT_DECODE_LIMITS.timeoutSeconds,
    )
    .action(async (paths: string[], raw: Omit<HashCommandOptions, 'token'> & { token?: string }) => {
      const token = raw.token ?? process.env.FOOTPRINT_TOKEN
      await runHashCommand(paths, { ...raw, ...(token ? { token } : {}) })
    })
}
