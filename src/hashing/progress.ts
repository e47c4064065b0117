// A one-line progress bar on stderr: count, rate and time left. Redrawn at most ten times a second
// so that it costs nothing next to hashing.

export interface ProgressStream {
  write(text: string): unknown
  columns?: number
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`
}

export function renderProgress(
  done: number,
  total: number,
  errors: number,
  elapsedSeconds: number,
  width = 30,
): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total)
  const filled = Math.round(fraction * width)
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0
  const left = rate > 0 ? (total - done) / rate : Number.NaN
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`
  const errorText = errors > 0 ? ` ${errors} errors` : ''
  return `[${bar}] ${done}/${total} ${(fraction * 100).toFixed(0)}% ${rate.toFixed(1)} files/s ${formatDuration(left)} left${errorText}`
}

export class ProgressBar {
  private done = 0
  private errors = 0
  private lastDraw = 0
  private readonly started = performance.now()

  constructor(
    private readonly total: number,
    private readonly stream: ProgressStream,
  ) {}

  tick(failed: boolean): void {
    this.done++
    if (failed) this.errors++
    const now = performance.now()
    if (now - this.lastDraw >= 100 || this.done === this.total) {
      this.lastDraw = now
      this.draw(now)
    }
  }

  private draw(now: number): void {
    this.stream.write(
      `\r${renderProgress(this.done, this.total, this.errors, (now - this.started) / 1000)}\x1b[K`,
    )
  }

  finish(): void {
    this.draw(performance.now())
    this.stream.write('\n')
  }
}
