import { type Actor, actorLabel } from '../access/model.js'
import { copyRows } from '../platform/copy.js'
import type { Queryable } from '../platform/db.js'

export interface AuditEntry {
  /** Verb phrase, module-prefixed: 'package.viewed', 'package.approved', 'referral.ingested'. */
  action: string
  recordType:
    | 'referral'
    | 'subject'
    | 'package'
    | 'outcome'
    | 'user'
    | 'session'
    | 'hash_set'
    | 'operation'
    | 'job'
  recordId: string | null
  /** The force whose record it is, so a force's own audit trail can be shown to it. */
  forceId?: string | null
  details?: Record<string, unknown>
}

/**
 * Writes one audit row through the caller's transaction, so the row commits with the change (or the
 * view) it records, or not at all.
 */
export async function recordAudit(tx: Queryable, actor: Actor, entry: AuditEntry): Promise<void> {
  await recordAuditMany(tx, actor, [entry])
}

/**
 * Many audit rows in one COPY, for bulk use cases (a list view, a batch ingest): a batch of
 * thousands of rows is one round trip, and Postgres's bulk-load path (platform/copy.ts).
 */
export async function recordAuditMany(tx: Queryable, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  const userId = actor.kind === 'user' ? actor.userId : null
  const tokenId = actor.kind === 'token' ? actor.tokenId : null
  const label = actorLabel(actor)
  await copyRows(
    tx,
    'audit_events',
    [
      { name: 'actor_user_id', type: 'bigint' },
      { name: 'actor_token_id', type: 'bigint' },
      { name: 'actor_label', type: 'text' },
      { name: 'action', type: 'text' },
      { name: 'record_type', type: 'text' },
      { name: 'record_id', type: 'text' },
      { name: 'force_id', type: 'text' },
      { name: 'details', type: 'jsonb' },
    ],
    entries.map((entry) => [
      userId,
      tokenId,
      label,
      entry.action,
      entry.recordType,
      entry.recordId,
      entry.forceId ?? null,
      JSON.stringify(entry.details ?? {}),
    ]),
  )
}
