import type { Queryable } from '../platform/db.js'
import type { ValidOutcome } from './model.js'

export async function insertOutcome(
  tx: Queryable,
  outcome: ValidOutcome & { packageId: string; forceId: string; recordedBy: string | null },
): Promise<string> {
  const row = await tx
    .insertInto('outcomes')
    .values({
      package_id: outcome.packageId,
      force_id: outcome.forceId,
      kind: outcome.kind,
      occurred_on: outcome.occurredOn,
      children: outcome.children,
      offence: outcome.offence,
      bail_until: outcome.bailUntil,
      note: outcome.note,
      recorded_by: outcome.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
