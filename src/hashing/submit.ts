// Sends a hash manifest to a Footprint server. Only the manifest (hashes and file facts) is sent;
// there is no code path here that could upload an image.
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'

export const MANIFEST_CONTENT_TYPE = 'application/x-ndjson'

export interface SubmitTarget {
  /** Server base URL, e.g. https://footprint.example; the endpoint path is appended. */
  url: string
  token: string
}

export function manifestEndpoint(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/hash-manifests`
}

/** POSTs the manifest and returns the server's JSON answer; throws with the status on refusal. */
export async function submitManifest(
  target: SubmitTarget,
  manifest: { file: string } | { lines: string },
  fetchImpl: typeof fetch = fetch,
): Promise<unknown> {
  const body =
    'file' in manifest
      ? (Readable.toWeb(createReadStream(manifest.file)) as unknown as ReadableStream<Uint8Array>)
      : manifest.lines
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': MANIFEST_CONTENT_TYPE },
    body,
  }
  // Node's fetch needs duplex: 'half' for a streamed body.
  if ('file' in manifest) init.duplex = 'half'
  const response = await fetchImpl(manifestEndpoint(target.url), init)
  const text = await response.text()
  if (!response.ok) {
    throw new Error(`server refused the manifest: HTTP ${response.status} ${text.slice(0, 500)}`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new Error(`server answered HTTP ${response.status} with a body that is not JSON`)
  }
}
