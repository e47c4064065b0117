import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestDocuments } from '../src/intake/service.js'
import { type Connection, connect } from '../src/platform/db.js'
import { restoreRowTriggers, skipRowTriggers } from '../src/platform/row-triggers.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport } from './factories.js'

/**
 * Intake and the pipeline stages skip per-row foreign-key checks only where the role may, and only
 * until they restore them; a role without the right (a managed Postgres, say) stores the same rows.
 */
let t: TestDatabase
let plain: Connection
const role = `fp_plain_${randomBytes(4).toString('hex')}`
const password = randomBytes(12).toString('hex')

beforeAll(async () => {
  t = await createTestDatabase()
  await sql`${sql.raw(`create role ${role} login password '${password}'`)}`.execute(t.db)
  // A member of the owning role (the application's role on a managed Postgres) without superuser.
  const owner = await sql<{ name: string }>`select current_user as name`.execute(t.db)
  await sql`${sql.raw(`grant ${owner.rows[0]!.name} to ${role}`)}`.execute(t.db)
  const url = new URL(t.url)
  url.username = role
  url.password = password
  plain = connect(url.toString(), 2)
})
afterAll(async () => {
  await plain.close()
  await sql`${sql.raw(`drop role ${role}`)}`.execute(t.db)
  await t.drop()
})

const danglingIdentifierRow = sql`insert into referral_identifiers (referral_id, identifier_id, kind, path, raw_value, role, normalised)
  values (999999999, 999999999, 'email', '/x', 'x', 'reported_person', true)`

describe('skipping per-row triggers', () => {
  it('turns foreign-key checks off for the transaction and back on when restored', async () => {
    await expect(
      t.db.transaction().execute(async (tx) => {
        expect(await skipRowTriggers(tx)).toBe(true)
        // Off: a dangling key goes in (this test's transaction is rolled back below).
        await danglingIdentifierRow.execute(tx)
        await restoreRowTriggers(tx, true)
        await danglingIdentifierRow.execute(tx)
      }),
    ).rejects.toThrow(/foreign key/)
    const left = await sql<{ n: number }>`select count(*)::int as n from referral_identifiers
      where referral_id = 999999999`.execute(t.db)
    expect(left.rows[0]!.n).toBe(0)
  })

  it('is refused for a role without the right, which still stores referrals, checked row by row', async () => {
    await expect(
      plain.db.transaction().execute(async (tx) => {
        expect(await skipRowTriggers(tx)).toBe(false)
        // The refused SET left the transaction usable, and the checks on.
        await danglingIdentifierRow.execute(tx)
      }),
    ).rejects.toThrow(/foreign key/)
    const { outcomes, refusals } = await ingestDocuments(plain.db, INTAKE, [
      documentOf(leReport({ email: 'plain-role@example.org' })),
    ])
    expect(refusals).toEqual([])
    expect(outcomes[0]).toMatchObject({ status: 'accepted' })
    const stored = await t.db
      .selectFrom('referral_identifiers')
      .select('identifier_id')
      .where('referral_id', '=', outcomes[0]!.referralId)
      .execute()
    expect(stored.length).toBeGreaterThan(0)
  })

  it('takes effect for a role granted SET on session_replication_role, as the README says', async () => {
    await sql`${sql.raw(`grant set on parameter session_replication_role to ${role}`)}`.execute(t.db)
    try {
      const took = await plain.db.transaction().execute(async (tx) => {
        const skipped = await skipRowTriggers(tx)
        const { rows } = await sql<{
          role: string
        }>`select current_setting('session_replication_role') as role`.execute(tx)
        await restoreRowTriggers(tx, skipped)
        return { skipped, role: rows[0]!.role }
      })
      expect(took).toEqual({ skipped: true, role: 'replica' })
    } finally {
      await sql`${sql.raw(`revoke set on parameter session_replication_role from ${role}`)}`.execute(t.db)
    }
  })
})
