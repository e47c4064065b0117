// worker_threads entry: hashes the files the pool sends, one record back per file.
import { parentPort, workerData } from 'node:worker_threads'
import sharp from 'sharp'
import { type HashOptions, hashFile } from './hash-file.js'

export interface HashJob {
  id: number
  path: string
}

export interface HashJobResult {
  id: number
  record: import('./manifest.js').ManifestRecord
}

// Parallelism comes from one worker per core; more libvips threads per decode would only contend.
sharp.concurrency(1)
// Every file in a batch is distinct, so libvips' operation cache would only hold memory.
sharp.cache(false)

const options = (workerData as { options: HashOptions }).options
const port = parentPort
if (!port) throw new Error('hash-worker must run as a worker thread')

port.on('message', (job: HashJob) => {
  void hashFile(job.path, options).then((record) => {
    const result: HashJobResult = { id: job.id, record }
    port.postMessage(result)
  })
})
