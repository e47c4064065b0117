import type { Actor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import { canActForForce } from '../packages/policy.js'
import { findPackage } from '../packages/repo.js'
import { markAcknowledged } from '../packages/service.js'
import type { Db } from '../platform/db.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.js'
import { type OutcomeInput, validateOutcome } from './model.js'
import { insertOutcome } from './repo.js'

/**
 * A force records what it did on a package it holds. Recording an outcome on a package not yet
 * acknowledged acknowledges it: the force has plainly received it.
 */
export async function recordOutcome(
  db: Db,
  actor: Actor,
  packageId: string,
  input: OutcomeInput,
  today = new Date().toISOString().slice(0, 10),
): Promise<string> {
  const { outcome, errors } = validateOutcome(input, today)
  if (!outcome) throw new ValidationError(errors)
  return db.transaction().execute(async (tx) => {
    const found = await findPackage(tx, actor, packageId)
    if (!found) throw new NotFoundError('package', packageId)
    if (!canActForForce(actor, found.forceId))
      throw new ForbiddenError('Only the force holding a package records its outcomes')
    const userId = actor.kind === 'user' ? actor.userId : null
    if (found.status === 'disseminated') await markAcknowledged(tx, actor, found)
    const outcomeId = await insertOutcome(tx, {
      ...outcome,
      packageId: found.id,
      forceId: found.forceId,
      recordedBy: userId,
    })
    await recordAudit(tx, actor, {
      action: 'outcome.recorded',
      recordType: 'outcome',
      recordId: outcomeId,
      forceId: found.forceId,
      details: { package: found.id, kind: outcome.kind, children: outcome.children },
    })
    return outcomeId
  })
}
