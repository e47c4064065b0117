import type { Actor } from '../access/model.js'
import { isForceUser, isNational } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db, Tx } from '../platform/db.js'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.js'
import type { Band } from '../platform/schema.js'
import { type PackageContents, packageContents } from './contents.js'
import { canAcknowledge, canReview } from './policy.js'
import { countPackages, findPackage, listPackages, type PackageRecord, type PackageSummary } from './repo.js'

export interface PackageView {
  package: PackageRecord
  contents: PackageContents
}

/** Opens one package: scoped by need to know, and the view itself is audited in the same transaction. */
export async function viewPackage(db: Db, actor: Actor, packageId: string): Promise<PackageView> {
  return db.transaction().execute(async (tx) => {
    const found = await findPackage(tx, actor, packageId)
    if (!found) throw new NotFoundError('package', packageId)
    const contents = await packageContents(tx, found.id, found.forceId)
    await recordAudit(tx, actor, {
      action: 'package.viewed',
      recordType: 'package',
      recordId: found.id,
      forceId: found.forceId,
    })
    return { package: found, contents }
  })
}

/** The analysts' queue: packages awaiting review, most urgent band first, oldest first within a band. */
export async function reviewQueue(db: Db, actor: Actor): Promise<PackageSummary[]> {
  if (!isNational(actor)) throw new ForbiddenError()
  return listPackages(db, actor, { statuses: ['awaiting_review'] })
}

/** A force's inbox: what has been disseminated to it, newest work first within band. */
export async function forceInbox(db: Db, actor: Actor): Promise<PackageSummary[]> {
  if (!isForceUser(actor)) throw new ForbiddenError()
  return listPackages(db, actor, { statuses: ['disseminated', 'acknowledged'] })
}

export async function reviewQueueSize(db: Db, actor: Actor): Promise<number> {
  return countPackages(db, actor, ['awaiting_review'])
}

const BANDS: Band[] = ['very_high', 'high', 'medium', 'low']

/**
 * An analyst approves a package and it is disseminated to its force at once. The analyst may change
 * the suggested band, and must then say why.
 */
export async function approvePackage(
  db: Db,
  actor: Actor,
  packageId: string,
  decision: { band: string; reason: string | null },
): Promise<PackageRecord> {
  if (!canReview(actor)) throw new ForbiddenError('Only a national analyst can approve a package')
  const band = decision.band as Band
  if (!BANDS.includes(band)) throw new ValidationError({ band: 'Select a priority band' })
  return db.transaction().execute(async (tx) => {
    const found = await findPackage(tx, actor, packageId)
    if (!found) throw new NotFoundError('package', packageId)
    if (found.status !== 'awaiting_review')
      throw new ConflictError(`Package ${found.reference} has already been ${found.status.replace('_', ' ')}`)
    const reason = decision.reason?.trim() || null
    if (band !== found.suggestedBand && !reason) {
      throw new ValidationError({ reason: 'Give a reason for changing the suggested band' })
    }
    const now = new Date()
    await tx
      .updateTable('packages')
      .set({
        status: 'disseminated',
        band,
        band_change_reason: band !== found.suggestedBand ? reason : null,
        approved_by: actor.kind === 'user' ? actor.userId : null,
        disseminated_at: now,
      })
      .where('id', '=', found.id)
      .where('status', '=', 'awaiting_review')
      .execute()
    await recordAudit(tx, actor, {
      action: 'package.approved',
      recordType: 'package',
      recordId: found.id,
      forceId: found.forceId,
      details: { band, suggestedBand: found.suggestedBand, reason },
    })
    await recordAudit(tx, actor, {
      action: 'package.disseminated',
      recordType: 'package',
      recordId: found.id,
      forceId: found.forceId,
    })
    return { ...found, status: 'disseminated', band, disseminatedAt: now }
  })
}

/** The force SPOC confirms receipt; the force's own clock is then running on it. */
export async function acknowledgePackage(db: Db, actor: Actor, packageId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const found = await findPackage(tx, actor, packageId)
    if (!found) throw new NotFoundError('package', packageId)
    if (!canAcknowledge(actor, found.forceId))
      throw new ForbiddenError('Only the force SPOC can acknowledge a package')
    if (found.status !== 'disseminated')
      throw new ConflictError(`Package ${found.reference} is already acknowledged`)
    await markAcknowledged(tx, actor, found)
  })
}

/** Records receipt by the force (an outcome on an unacknowledged package implies it too). */
export async function markAcknowledged(
  tx: Tx,
  actor: Actor,
  found: { id: string; forceId: string },
): Promise<void> {
  await tx
    .updateTable('packages')
    .set({
      status: 'acknowledged',
      acknowledged_at: new Date(),
      acknowledged_by: actor.kind === 'user' ? actor.userId : null,
    })
    .where('id', '=', found.id)
    .execute()
  await recordAudit(tx, actor, {
    action: 'package.acknowledged',
    recordType: 'package',
    recordId: found.id,
    forceId: found.forceId,
  })
}
