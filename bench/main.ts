// `npm run bench -- NAME [args]`: runs one benchmark, each in bench/NAME.ts exporting run(args).
const benches = ['hash', 'match', 'ingest', 'fuzz'] as const
const name = process.argv[2]
if (!name || !benches.includes(name as (typeof benches)[number])) {
  console.error(`usage: npm run bench -- ${benches.join('|')} [options]`)
  process.exit(2)
}
const bench = (await import(`./${name}.js`)) as { run(args: string[]): Promise<void> }
await bench.run(process.argv.slice(3))
