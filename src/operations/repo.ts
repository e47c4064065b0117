import type { Queryable } from '../platform/db.js'

export async function listOperations(db: Queryable) {
  return db
    .selectFrom('operations')
    .select(['id', 'code', 'name', 'started_on as startedOn'])
    .orderBy('started_on', 'desc')
    .execute()
}

export async function findOperationByCode(db: Queryable, code: string) {
  return db
    .selectFrom('operations')
    .select(['id', 'code', 'name', 'started_on as startedOn'])
    .where('code', '=', code)
    .executeTakeFirst()
}

/** Creates the operation, or returns the existing one with that code. */
export async function ensureOperation(
  db: Queryable,
  operation: { code: string; name: string; startedOn: string },
): Promise<string> {
  const existing = await findOperationByCode(db, operation.code)
  if (existing) return existing.id
  const row = await db
    .insertInto('operations')
    .values({ code: operation.code, name: operation.name, started_on: operation.startedOn })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
