// CPU time of this process and of a Postgres server's whole process tree, read from /proc (Linux).
// On a shared machine wall-clock rates move with other people's load; CPU seconds per unit of work
// move far less, and say what the work would sustain on cores of its own.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

interface ProcStat {
  pid: number
  ppid: number
  /** Own user + system time, and (for a parent) that of children it has waited for, in seconds. */
  own: number
  reaped: number
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    const n = (i: number) => Number(fields[i - 3])
    return {
      pid,
      ppid: n(4),
      own: (n(14) + n(15)) / TICKS_PER_SECOND,
      reaped: (n(16) + n(17)) / TICKS_PER_SECOND,
    }
  } catch {
    return null
  }
}

/** Seconds of CPU used so far by the postmaster whose data folder is given, and all its backends. */
export function postgresCpuSeconds(databaseDir: string): number | null {
  let postmaster: number
  try {
    postmaster = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  } catch {
    return null
  }
  const root = readStat(postmaster)
  if (!root) return null
  let total = root.own + root.reaped
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat && stat.ppid === postmaster) total += stat.own
  }
  return total
}

export function nodeCpuSeconds(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}
