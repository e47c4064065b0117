import { type Actor, actorLabel } from '../access/model.js'
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

/** Many audit rows in one statement, for bulk use cases (a list view, a batch ingest). */
export async function recordAuditMany(tx: Queryable, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  await tx
    .insertInto('audit_events')
    .values(
      entries.map((entry) => ({
        actor_user_id: actor.kind === 'user' ? actor.userId : null,
        actor_token_id: actor.kind === 'token' ? actor.tokenId : null,
        actor_label: actorLabel(actor),
        action: entry.action,
        record_type: entry.recordType,
        record_id: entry.recordId,
        force_id: entry.forceId ?? null,
        details: JSON.stringify(entry.details ?? {}),
      })),
    )
    .execute()
}
