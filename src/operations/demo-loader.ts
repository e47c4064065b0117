import { sql } from 'kysely'
import { systemActor, type UserActor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import { ingestDocuments } from '../intake/service.js'
import { addKnownHashes } from '../matching/repo.js'
import { validateOutcome } from '../outcomes/model.js'
import { insertOutcome } from '../outcomes/repo.js'
import { approvePackage } from '../packages/service.js'
import type { Db } from '../platform/db.js'
import { buildDemoOperation, type DemoOperation } from './demo-operation.js'
import { ensureOperation, findOperationByCode } from './repo.js'

const DEMO = systemActor('demo')

export interface DemoLoadResult {
  loaded: boolean
  operationCode: string
  referrals: number
  packagesApproved: number
  outcomes: number
}

async function demoAnalyst(db: Db): Promise<UserActor> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role', 'force_id'])
    .where('role', '=', 'national_analyst')
    .orderBy('id')
    .executeTakeFirst()
  if (!user)
    throw new Error('the demo needs a national analyst user to approve packages; create the demo users first')
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    forceId: null,
  }
}

/**
 * Loads the synthetic demo operation once: its known hashes, its referrals through the real intake
 * and pipeline, an analyst's approvals (most packages; some are left for the review queue), and the
 * forces' planned outcomes. Timestamps are then moved back to the reports' own dates so the demo
 * reads as weeks of work rather than one minute's.
 */
export async function loadDemoOperation(
  db: Db,
  runPipeline: () => Promise<void>,
  options: { now?: Date; referrals?: number } = {},
): Promise<DemoLoadResult> {
  const demo: DemoOperation = buildDemoOperation({
    now: options.now ?? new Date(),
    referrals: options.referrals,
  })
  const code = demo.operation.code
  if (await findOperationByCode(db, code))
    return { loaded: false, operationCode: code, referrals: 0, packagesApproved: 0, outcomes: 0 }

  const operationId = await db.transaction().execute(async (tx) => {
    const id = await ensureOperation(tx, demo.operation)
    await addKnownHashes(
      tx,
      { name: 'Demo known images (synthetic)', source: 'Footprint demo generator' },
      demo.knownHashes.map((h) => ({
        algorithm: 'md5',
        value: h.md5,
        category: h.category,
        series: h.series,
      })),
    )
    await recordAudit(tx, DEMO, { action: 'operation.created', recordType: 'operation', recordId: id })
    return id
  })
  const incoming = demo.referrals.map((doc) => ({
    fileName: `demo/${String(doc.reportId)}.json`,
    body: Buffer.from(JSON.stringify(doc, null, 2)),
  }))
  const { refusals, outcomes } = await ingestDocuments(db, DEMO, incoming, { operationId })
  if (refusals.length > 0)
    throw new Error(`the demo generator made a document intake refuses: ${refusals[0]!.message}`)
  await runPipeline()

  const analyst = await demoAnalyst(db)
  const planned = new Map(demo.outcomePlan.map((p) => [String(p.reportId), p]))
  const awaiting = await sql<{ packageId: string; sourceReferences: string[] }>`
    select p.id as "packageId", array_agg(r.source_reference) as "sourceReferences"
    from packages p join package_referrals pr on pr.package_id = p.id join referrals r on r.id = pr.referral_id
    where p.status = 'awaiting_review' group by p.id order by p.id`.execute(db)
  let approved = 0
  let recorded = 0
  for (const [index, row] of awaiting.rows.entries()) {
    const plan = row.sourceReferences.map((ref) => planned.get(ref)).find((p) => p !== undefined)
    // Every package with planned outcomes goes out; of the rest, about one in four stays in review.
    if (!plan && index % 4 === 0) continue
    const sent = await approvePackage(db, analyst, row.packageId, {
      band: (await bandOf(db, row.packageId)) ?? 'low',
      reason: null,
    })
    approved++
    if (!plan) continue
    await db.transaction().execute(async (tx) => {
      if (plan.acknowledge || plan.events.length > 0) {
        await tx
          .updateTable('packages')
          .set({ status: 'acknowledged', acknowledged_at: new Date() })
          .where('id', '=', sent.id)
          .execute()
      }
      for (const event of plan.events) {
        const { outcome } = validateOutcome({ ...event, children: event.children ?? null }, '9999-12-31')
        if (!outcome) continue
        const id = await insertOutcome(tx, {
          ...outcome,
          packageId: sent.id,
          forceId: sent.forceId,
          recordedBy: null,
        })
        await recordAudit(tx, DEMO, {
          action: 'outcome.recorded',
          recordType: 'outcome',
          recordId: id,
          forceId: sent.forceId,
        })
        recorded++
      }
    })
  }
  await backdate(db, operationId)
  return {
    loaded: true,
    operationCode: code,
    referrals: outcomes.length,
    packagesApproved: approved,
    outcomes: recorded,
  }
}

async function bandOf(db: Db, packageId: string) {
  return (
    await db.selectFrom('packages').select('suggested_band').where('id', '=', packageId).executeTakeFirst()
  )?.suggested_band
}

/** Demo only: dates as if the referrals had arrived on their report dates and been worked since. */
async function backdate(db: Db, operationId: string) {
  await db.transaction().execute(async (tx) => {
    await sql`update referrals r set received_at = (convert_from(d.body, 'UTF8')::jsonb ->> 'dateReceived')::timestamptz
      from referral_documents d where d.id = r.document_id and r.operation_id = ${operationId}`.execute(tx)
    await sql`update referral_documents d set received_at = r.received_at
      from referrals r where r.document_id = d.id and r.operation_id = ${operationId}`.execute(tx)
    await sql`update packages p set created_at = latest + interval '1 day',
        disseminated_at = case when p.disseminated_at is null then null else latest + interval '2 days' end,
        acknowledged_at = case when p.acknowledged_at is null then null else latest + interval '3 days' end
      from (select pr.package_id, max(r.received_at) as latest from package_referrals pr join referrals r on r.id = pr.referral_id group by pr.package_id) l
      where l.package_id = p.id and p.operation_id = ${operationId}`.execute(tx)
  })
}
