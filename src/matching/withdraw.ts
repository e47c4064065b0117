import type { Actor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db } from '../platform/db.js'
import { NotFoundError } from '../platform/errors.js'
import { enqueue } from '../platform/queue.js'
import { rematchLibraryChangeJob } from './jobs.js'
import { findHashSet, recordLibraryChange, setHashSetEnabled, withdrawEntries } from './library-repo.js'

export interface WithdrawalRequest {
  set: string
  /** Hash values (md5, sha1 or pdq hex) to withdraw, or 'all' for every live entry of the set. */
  values: readonly string[] | 'all'
  reason: string
}

/**
 * Withdraws entries from a set: they stay as history but never count again. Audited and logged as a
 * library change in one transaction; the rematch job then re-triages the subjects whose files
 * matched them. Returns how many live entries were withdrawn (values not live are ignored).
 */
export async function withdrawHashes(db: Db, actor: Actor, request: WithdrawalRequest): Promise<number> {
  const reason = request.reason.trim()
  if (reason === '') throw new Error('Give the reason for the withdrawal')
  return db.transaction().execute(async (tx) => {
    const set = await findHashSet(tx, request.set)
    if (!set) throw new NotFoundError('hash set', request.set)
    const seq = await recordLibraryChange(tx, set.id, 'withdrawal')
    const targets = request.values === 'all' ? 'all' : request.values.map((value) => ({ value }))
    const withdrawn = await withdrawEntries(tx, set.id, targets, reason, seq)
    await recordAudit(tx, actor, {
      action: 'hash_set.entries_withdrawn',
      recordType: 'hash_set',
      recordId: set.id,
      details: {
        reason,
        requested: request.values === 'all' ? 'all' : request.values.length,
        withdrawn: withdrawn.length,
        changeSeq: seq,
      },
    })
    if (withdrawn.length > 0) await enqueue(tx, rematchLibraryChangeJob, { changeSeq: seq })
    return withdrawn.length
  })
}

/** Enables or disables a whole set (a disabled set never counts); a no-op if already so. */
export async function setHashSetState(
  db: Db,
  actor: Actor,
  name: string,
  enabled: boolean,
  reason: string,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const set = await findHashSet(tx, name)
    if (!set) throw new NotFoundError('hash set', name)
    if (set.enabled === enabled) return false
    await setHashSetEnabled(tx, set.id, enabled)
    const seq = await recordLibraryChange(tx, set.id, enabled ? 'set_enabled' : 'set_disabled')
    await recordAudit(tx, actor, {
      action: enabled ? 'hash_set.enabled' : 'hash_set.disabled',
      recordType: 'hash_set',
      recordId: set.id,
      details: { reason, changeSeq: seq },
    })
    await enqueue(tx, rematchLibraryChangeJob, { changeSeq: seq })
    return true
  })
}
