// Returns a decoded image's memory to the allocator as soon as its pixels have been read.
//
// sharp hands back each decoded image (3 MB for 1000×1000 RGB) as an external buffer that libvips
// allocated with malloc, and frees it only when V8 collects the Buffer. V8 counts that memory but
// collects only after about 64 MB of it has built up, so every decode writes into freshly mapped pages
// and pays a page fault per 4 KiB: 730 faults, 7–15 ms per 1000×1000 image on a virtual machine,
// more than the decode itself. A young-generation collection right after the pixels are consumed
// frees the buffer before the next decode asks for one, and malloc hands the same pages back.
// Measured on the bench corpus (one thread): 350–490 → 0–26 page faults per image; with the other
// changes of docs/decisions/0002 ("Decoding speed"), the decode stage went from 9.4–12.6 to 6.3–8.6 ms.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Collect = (options: { type: 'minor'; execution: 'sync' }) => void

function findCollector(): Collect | null {
  try {
    // With one hashing thread per core there is no idle core for V8's parallel scavenger helpers:
    // waiting for them doubled the collection's wall time (0.56 → 0.28–0.35 ms per image).
    setFlagsFromString('--no-parallel-scavenge')
    const exposed: unknown = (globalThis as { gc?: unknown }).gc
    if (typeof exposed === 'function') return exposed as Collect
    // The known way to reach V8's gc() without --expose-gc on the command line (which worker threads
    // cannot be given): enable the flag and take gc from a fresh context. The flag is left on, so that
    // workers doing this at the same moment cannot switch it off under one another.
    setFlagsFromString('--expose-gc')
    const collect: unknown = runInNewContext('gc')
    return typeof collect === 'function' ? (collect as Collect) : null
  } catch {
    return null
  }
}

let collector: Collect | null | undefined

/** Frees unreachable young objects now, decoded pixel buffers among them. A no-op if V8 refuses. */
export function releaseDecodedMemory(): void {
  if (collector === undefined) collector = findCollector()
  collector?.({ type: 'minor', execution: 'sync' })
}
