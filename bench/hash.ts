// `npm run bench -- hash [--images N] [--rounds R]`: PDQ + MD5/SHA-1 throughput on a generated corpus of
// benign 1000×1000 JPEGs (gradients, noise, shapes). Decoding is included; the breakdown comes from the
// single-thread run, where stages do not overlap. Each mode is run with the decoder in use (the native
// libjpeg addon for these plain JPEGs when it is built, docs/decisions/0005-native-jpeg-decode.md) and
// with sharp decoding everything, side by side. When gcc and libjpeg's headers are present, a small C
// program decodes the same files in-process with libjpeg(-turbo)'s defaults (ISLOW IDCT, fancy
// upsampling) as a native floor for the decode; without them that part is skipped.
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { DEFAULT_DECODE_LIMITS, decodeImage } from '../src/hashing/decode.js'
import { type HashOptions, hashFile } from '../src/hashing/hash-file.js'
import { hashPaths } from '../src/hashing/hash-pool.js'
import type { PdqMode } from '../src/hashing/luma.js'
import { nativeJpegStatus, useNativeJpeg } from '../src/hashing/native-jpeg.js'
import type { PdqTimings } from '../src/hashing/pdq-image.js'

const SIDE = 1000
const KINDS = ['gradient', 'noise', 'shapes'] as const

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name)
  const value = i >= 0 ? Number(args[i + 1]) : fallback
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** Deterministic xorshift so every run hashes the same corpus. */
function random(seed: number): () => number {
  let x = seed * 2654435761 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

function paint(kind: number, seed: number): Buffer {
  const next = random(seed + 1)
  const raw = Buffer.alloc(SIDE * SIDE * 3)
  const [a, b, c] = [next() * 4 + 1, next() * 4 + 1, next() * 255]
  const circles = Array.from({ length: 12 }, () => [
    next() * SIDE,
    next() * SIDE,
    30 + next() * 150,
    next() * 255,
  ])
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const i = (y * SIDE + x) * 3
      let r = (x * a) / 4
      let g = (y * b) / 4
      let bl = (c + (x + y) / 8) % 256
      if (kind === 1) {
        const n = next() * 80
        r = r * 0.6 + n
        g = g * 0.6 + n
        bl = bl * 0.6 + next() * 80
      } else if (kind === 2) {
        for (const [cx, cy, radius, shade] of circles) {
          if ((x - cx!) ** 2 + (y - cy!) ** 2 < radius! ** 2) {
            r = shade!
            g = 255 - shade!
            bl = (shade! * 3) % 256
          }
        }
        if ((x >> 6) % 3 === 0 && (y >> 5) % 4 === 1) r = g = bl = 0
      }
      raw[i] = r
      raw[i + 1] = g
      raw[i + 2] = bl
    }
  }
  return raw
}

async function makeCorpus(dir: string, count: number): Promise<string[]> {
  const files: string[] = []
  for (let i = 0; i < count; i++) {
    const file = join(dir, `bench-${String(i).padStart(3, '0')}.jpg`)
    await sharp(paint(i % 3, i), { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(file)
    files.push(file)
  }
  return files
}

type Stages = PdqTimings & { readDigestMs: number; cpuMs: number; faults: number }

type Decoder = 'native' | 'sharp'

const initialDecoder = { enabled: nativeJpegStatus().enabled, env: process.env.FOOTPRINT_NATIVE_JPEG }

/** Plain JPEGs decoded by the native addon, or everything by sharp (in this thread and in the workers). */
function chooseDecoder(decoder: Decoder): void {
  useNativeJpeg(decoder === 'native')
  // Workers copy the environment when they start; native-jpeg.ts reads it when it loads.
  if (decoder === 'sharp') process.env.FOOTPRINT_NATIVE_JPEG = '0'
  else delete process.env.FOOTPRINT_NATIVE_JPEG
}

function restoreDecoder(): void {
  useNativeJpeg(initialDecoder.enabled)
  if (initialDecoder.env === undefined) delete process.env.FOOTPRINT_NATIVE_JPEG
  else process.env.FOOTPRINT_NATIVE_JPEG = initialDecoder.env
}

interface Row {
  mode: PdqMode
  decoder: Decoder
  oneCore: number
  allCores: number
  perCoreAll: number
  /** Process CPU time per image (all threads, libvips included): capacity that other load cannot skew. */
  cpuMsOne: number
  cpuMsAll: number
  timings: Stages
  /** The same per corpus kind (file i is kind i % 3). */
  kinds: Stages[]
}

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000
const faults = (): number => process.resourceUsage().minorPageFault
const stages = (): Stages => ({ readDigestMs: 0, decodeMs: 0, resizeMs: 0, hashMs: 0, cpuMs: 0, faults: 0 })

function divide(stats: Stages, n: number): Stages {
  const out = stages()
  for (const key of Object.keys(out) as (keyof Stages)[]) out[key] = stats[key] / n
  return out
}

async function measure(
  files: string[],
  mode: PdqMode,
  decoder: Decoder,
  rounds: number,
  threads: number,
): Promise<Row> {
  chooseDecoder(decoder)
  const options: HashOptions = { mode, dihedral: false, limits: DEFAULT_DECODE_LIMITS }
  for (const file of files.slice(0, 4)) await hashFile(file, options) // JIT warm-up
  const total = stages()
  const kinds = KINDS.map(stages)
  let t0 = performance.now()
  let cpu0 = process.cpuUsage()
  for (let r = 0; r < rounds; r++) {
    for (const [i, file] of files.entries()) {
      const one = stages()
      const start = performance.now()
      const cpu = process.cpuUsage()
      const faulted = faults()
      const record = await hashFile(file, options, one)
      if (record.error) throw new Error(`${file}: ${record.error}`)
      one.cpuMs = cpuMs(process.cpuUsage(cpu))
      one.faults = faults() - faulted
      one.readDigestMs = performance.now() - start - (one.decodeMs + one.resizeMs + one.hashMs)
      for (const key of Object.keys(one) as (keyof Stages)[]) {
        total[key] += one[key]
        kinds[i % KINDS.length]![key] += one[key]
      }
    }
  }
  const n = files.length * rounds
  const oneCore = (n * 1000) / (performance.now() - t0)
  const cpuMsOne = cpuMs(process.cpuUsage(cpu0)) / n
  const perKind = kinds.map((k, i) =>
    divide(k, rounds * files.filter((_, f) => f % KINDS.length === i).length),
  )
  // Workers start, load sharp and warm up their JIT once per run, so the pool gets a longer batch.
  const batch = Array.from({ length: rounds * 4 }, () => files).flat()
  await hashPaths(files.slice(0, threads * 2), options, () => {}, { threads }) // worker start-up and warm-up
  t0 = performance.now()
  cpu0 = process.cpuUsage()
  await hashPaths(batch, options, () => {}, { threads })
  const allCores = (batch.length * 1000) / (performance.now() - t0)
  const cpuMsAll = cpuMs(process.cpuUsage(cpu0)) / batch.length
  return {
    mode,
    decoder,
    oneCore,
    allCores,
    perCoreAll: allCores / threads,
    cpuMsOne,
    cpuMsAll,
    timings: divide(total, n),
    kinds: perKind,
  }
}

// The native floor: each file read into memory once, then decoded `rounds` times in-process with
// libjpeg's defaults into a reused buffer. Prints per file: mean wall ms, mean CPU ms, FNV-1a of pixels.
const NATIVE_ANCHOR_C = `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <jpeglib.h>
static double ms(clockid_t id) { struct timespec t; clock_gettime(id, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static unsigned char *out; static size_t cap, size;
static void decode(unsigned char *buf, long n) {
  struct jpeg_decompress_struct c; struct jpeg_error_mgr e; c.err = jpeg_std_error(&e);
  jpeg_create_decompress(&c); jpeg_mem_src(&c, buf, n); jpeg_read_header(&c, TRUE); jpeg_start_decompress(&c);
  size_t stride = (size_t)c.output_width * c.output_components; size = stride * c.output_height;
  if (size > cap) { free(out); out = malloc(size); cap = size; }
  while (c.output_scanline < c.output_height) { JSAMPROW row = out + stride * c.output_scanline; jpeg_read_scanlines(&c, &row, 1); }
  jpeg_finish_decompress(&c); jpeg_destroy_decompress(&c);
}
int main(int argc, char **argv) {
  int rounds = atoi(argv[1]);
  for (int f = 2; f < argc; f++) {
    FILE *fp = fopen(argv[f], "rb"); if (!fp) return 1;
    fseek(fp, 0, SEEK_END); long n = ftell(fp); fseek(fp, 0, SEEK_SET);
    unsigned char *buf = malloc(n); if (fread(buf, 1, n, fp) != (size_t)n) return 1; fclose(fp);
    decode(buf, n);
    unsigned hash = 2166136261u; for (size_t i = 0; i < size; i++) hash = (hash ^ out[i]) * 16777619u;
    double wall = 0, cpu = 0;
    for (int r = 0; r < rounds; r++) {
      double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
      decode(buf, n);
      wall += ms(CLOCK_MONOTONIC) - w0; cpu += ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    printf("%.4f %.4f %u\\n", wall / rounds, cpu / rounds, hash); free(buf);
  }
  return 0;
}
`

interface NativeDecode {
  wallMs: number
  cpuMs: number
  /** Whether the C decode gave exactly the pixels decodeImage gives, with the native addon and with sharp. */
  sameAsAddon: boolean | null
  sameAsSharp: boolean
}

function fnv1a(data: Uint8Array): number {
  let h = 2166136261
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 16777619) >>> 0
  return h
}

/** Per file, or null when gcc or libjpeg's headers are missing (CI machines). */
async function nativeDecodes(dir: string, files: string[], rounds: number): Promise<NativeDecode[] | null> {
  const binary = join(dir, 'native-anchor')
  try {
    execFileSync('gcc', ['-O2', '-x', 'c', '-', '-o', binary, '-ljpeg'], {
      input: NATIVE_ANCHOR_C,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
  } catch {
    return null
  }
  const lines = execFileSync(binary, [String(rounds * 3), ...files], { encoding: 'utf8' })
    .trim()
    .split('\n')
  const results: NativeDecode[] = []
  const addon = initialDecoder.enabled
  for (const [i, line] of lines.entries()) {
    const [wall, cpu, hash] = line.split(' ').map(Number)
    const bytes = await readFile(files[i]!)
    const pixelsHash = async (decoder: Decoder): Promise<number> => {
      chooseDecoder(decoder)
      return fnv1a((await decodeImage(bytes)).pixels.data)
    }
    results.push({
      wallMs: wall!,
      cpuMs: cpu!,
      sameAsAddon: addon ? (await pixelsHash('native')) === hash : null,
      sameAsSharp: (await pixelsHash('sharp')) === hash,
    })
  }
  restoreDecoder()
  return results
}

const loads = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length

const label = (r: Row): string => `${r.mode}, ${r.decoder}`.padEnd(17)

function printKinds(rows: Row[], sizes: number[], native: NativeDecode[] | null): void {
  const fmt = (n: number): string => n.toFixed(2).padStart(6)
  const ofKind = <T>(list: T[], kind: number): T[] => list.filter((_, i) => i % KINDS.length === kind)
  console.log('Per corpus kind, 1 thread (wall ms per image unless marked; faults = minor page faults):')
  console.log(
    '| mode, decoder     | kind     | file KB | read+MD5+SHA-1 | decode | resize+luma |    PDQ | CPU ms | faults |',
  )
  console.log(
    '|-------------------|----------|--------:|---------------:|-------:|------------:|-------:|-------:|-------:|',
  )
  for (const r of rows) {
    for (const [k, name] of KINDS.entries()) {
      const t = r.kinds[k]!
      const kb = (mean(ofKind(sizes, k)) / 1024).toFixed(0).padStart(7)
      console.log(
        `| ${label(r)} | ${name.padEnd(8)} | ${kb} | ${fmt(t.readDigestMs).padStart(14)} | ${fmt(t.decodeMs)} | ${fmt(t.resizeMs).padStart(11)} | ${fmt(t.hashMs)} | ${fmt(t.cpuMs)} | ${t.faults.toFixed(0).padStart(6)} |`,
      )
    }
  }
  console.log('')
  if (!native) {
    console.log('Native floor: skipped (needs gcc and libjpeg headers, e.g. libjpeg62-turbo-dev).')
    return
  }
  console.log('Native floor: the same files decoded in-process by libjpeg(-turbo), defaults, reused buffer:')
  console.log('| kind     | wall ms | CPU ms | same pixels as decodeImage, native addon / sharp |')
  console.log('|----------|--------:|-------:|-------------------------------------------------:|')
  for (const [k, name] of KINDS.entries()) {
    const list = ofKind(native, k)
    const count = (same: (d: NativeDecode) => boolean | null): string =>
      list.some((d) => same(d) === null) ? 'n/a' : `${list.filter(same).length}/${list.length}`
    const same = `${count((d) => d.sameAsAddon)} / ${count((d) => d.sameAsSharp)}`
    console.log(
      `| ${name.padEnd(8)} | ${fmt(mean(list.map((d) => d.wallMs)))} | ${fmt(mean(list.map((d) => d.cpuMs)))} | ${same.padStart(48)} |`,
    )
  }
  const all = (key: 'wallMs' | 'cpuMs'): string => fmt(mean(native.map((d) => d[key])))
  console.log(`| all      | ${all('wallMs')} | ${all('cpuMs')} | ${''.padStart(48)} |`)
}

export async function run(args: string[]): Promise<void> {
  const count = option(args, '--images', 30)
  const rounds = option(args, '--rounds', 3)
  const threads = availableParallelism()
  // The single-thread figures are for one core, so libvips gets one thread too.
  sharp.concurrency(1)
  sharp.cache(false)
  const dir = await mkdtemp(join(tmpdir(), 'footprint-bench-hash-'))
  try {
    const files = await makeCorpus(dir, count)
    const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size))
    console.log(
      `corpus: ${count} benign ${SIDE}×${SIDE} JPEGs (q90; gradients, noise, shapes), ${rounds} rounds`,
    )
    console.log(
      `cores: ${threads}; Node ${process.version}; sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`,
    )
    const status = nativeJpegStatus()
    console.log(
      status.enabled
        ? `decoder: native ${status.library} addon for plain JPEGs (sharp for the rest), and sharp alone for comparison`
        : `decoder: sharp (native addon ${status.available ? 'switched off by FOOTPRINT_NATIVE_JPEG=0' : `unavailable: ${status.problem}`})`,
    )
    console.log(`load average before: ${loads()}`)
    const decoders: Decoder[] = status.enabled ? ['native', 'sharp'] : ['sharp']
    const rows: Row[] = []
    for (const mode of ['reference', 'full'] as const) {
      for (const decoder of decoders) rows.push(await measure(files, mode, decoder, rounds, threads))
    }
    restoreDecoder()
    const native = await nativeDecodes(dir, files, rounds)
    const fmt = (n: number, digits = 1): string => n.toFixed(digits).padStart(7)
    console.log('')
    console.log('Wall-clock throughput (decode included):')
    console.log('| mode, decoder     | 1 thread img/s | all cores img/s | per core (all) |')
    console.log('|-------------------|---------------:|----------------:|---------------:|')
    for (const r of rows) {
      console.log(
        `| ${label(r)} | ${fmt(r.oneCore).padStart(14)} | ${`${fmt(r.allCores)} (${threads})`.padStart(15)} | ${fmt(r.perCoreAll).padStart(14)} |`,
      )
    }
    console.log('')
    console.log('CPU time per image (process CPU, libvips threads included) and the per-core rate it allows:')
    console.log('| mode, decoder     | CPU ms, 1 thread | → img/s/core | CPU ms, pool | → img/s/core |')
    console.log('|-------------------|-----------------:|-------------:|-------------:|-------------:|')
    for (const r of rows) {
      console.log(
        `| ${label(r)} | ${fmt(r.cpuMsOne, 2).padStart(16)} | ${fmt(1000 / r.cpuMsOne).padStart(12)} | ${fmt(r.cpuMsAll, 2).padStart(12)} | ${fmt(1000 / r.cpuMsAll).padStart(12)} |`,
      )
    }
    console.log('')
    console.log('Breakdown per image, 1 thread (wall ms, stages do not overlap):')
    console.log('| mode, decoder     | read+MD5+SHA-1 | decode | resize+luma | PDQ (filter, DCT, bits) |')
    console.log('|-------------------|---------------:|-------:|------------:|------------------------:|')
    for (const r of rows) {
      const t = r.timings
      console.log(
        `| ${label(r)} | ${fmt(t.readDigestMs, 2).padStart(14)} | ${fmt(t.decodeMs, 2)} | ${fmt(t.resizeMs, 2).padStart(11)} | ${fmt(t.hashMs, 2).padStart(23)} |`,
      )
    }
    console.log('')
    printKinds(rows, sizes, native)
    console.log(`load average after: ${loads()}`)
  } finally {
    restoreDecoder()
    await rm(dir, { recursive: true, force: true })
  }
}
