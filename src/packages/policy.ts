import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import { type Actor, isForceUser, isNational } from '../access/model.js'
import type { Database } from '../platform/schema.js'

/**
 * Need to know, in one place: the national bureau sees every package; a force sees only packages
 * disseminated to it; auditors and machine tokens see no case content. Every package query goes
 * through this, so a Kent user asking for a Dorset package finds nothing, as if it did not exist.
 */
export function packageScope(actor: Actor) {
  return (eb: ExpressionBuilder<Database, 'packages'>): Expression<SqlBool> => {
    if (isNational(actor)) return eb.lit(true)
    if (isForceUser(actor)) {
      return eb.and([
        eb('packages.force_id', '=', actor.forceId),
        eb('packages.disseminated_at', 'is not', null),
      ])
    }
    return eb.lit(false)
  }
}

export function canReview(actor: Actor): boolean {
  return actor.kind === 'user' && actor.role === 'national_analyst'
}

export function canActForForce(actor: Actor, forceId: string): boolean {
  return isForceUser(actor) && actor.forceId === forceId
}

export function canAcknowledge(actor: Actor, forceId: string): boolean {
  return canActForForce(actor, forceId) && actor.kind === 'user' && actor.role === 'force_spoc'
}
