import type { Actor } from '../access/model.js'
import { systemActor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db, Tx } from '../platform/db.js'
import { NotFoundError, ValidationError } from '../platform/errors.js'
import { enqueue } from '../platform/queue.js'
import { locateSubjectsJob } from './jobs.js'
import { findPostcode, parsePostcode } from './postcode.js'
import { areaRow, candidateAddresses, districtRow } from './repo.js'
import { forceForPostcode, type Location } from './rules.js'

const LOCATOR = systemActor('locator')

export interface LocateResult {
  subjectId: string
  location: (Location & { postcode: string }) | null
  reason: string
}

/** Finds the force for one subject from its addresses, best first. Reads only. */
export async function locateSubject(db: Tx | Db, subjectId: string): Promise<LocateResult> {
  const candidates = await candidateAddresses(db, subjectId)
  const unknown: string[] = []
  for (const candidate of candidates) {
    const postcode =
      (candidate.postcode ? parsePostcode(candidate.postcode) : null) ??
      findPostcode([candidate.street, candidate.city].filter(Boolean).join(' '))
    if (!postcode) continue
    const location = forceForPostcode(
      postcode,
      await districtRow(db, postcode.district),
      await areaRow(db, postcode.area),
    )
    if (location) {
      const from = candidate.source === 'analyst' ? 'address entered by an analyst' : 'address in a report'
      return {
        subjectId,
        location: { ...location, postcode: postcode.full ?? postcode.district },
        reason: `${from}: ${location.reason}`,
      }
    }
    unknown.push(postcode.full ?? postcode.district)
  }
  const reason =
    unknown.length > 0
      ? `no force found for postcode(s) ${unknown.join(', ')}`
      : candidates.length > 0
        ? 'the addresses given have no UK postcode'
        : 'no address in any report'
  return { subjectId, location: null, reason }
}

/** Pipeline stage 3: records where each subject is (or that it waits in the unresolved queue). */
export async function locateSubjects(tx: Tx, subjectIds: readonly string[]): Promise<string[]> {
  const located: string[] = []
  for (const subjectId of subjectIds) {
    const subject = await tx
      .selectFrom('subjects')
      .select(['id', 'force_id', 'merged_into'])
      .where('id', '=', subjectId)
      .executeTakeFirst()
    if (!subject || subject.merged_into !== null) continue
    const result = await locateSubject(tx, subjectId)
    const where = result.location
    await tx
      .updateTable('subjects')
      .set({
        status: where ? 'located' : 'unlocated',
        force_id: where?.forceId ?? null,
        postcode: where?.postcode ?? null,
        location_method: where?.method ?? null,
        location_confidence: where?.confidence ?? null,
        location_reason: result.reason,
        updated_at: new Date(),
      })
      .where('id', '=', subjectId)
      .execute()
    await tx
      .updateTable('referrals')
      .set({ status: where ? 'located' : 'unlocated' })
      .where('subject_id', '=', subjectId)
      .where('status', 'in', ['resolved', 'unlocated', 'located'])
      .execute()
    if (where?.forceId !== subject.force_id) {
      await recordAudit(tx, LOCATOR, {
        action: where ? 'subject.located' : 'subject.unlocated',
        recordType: 'subject',
        recordId: subjectId,
        forceId: where?.forceId ?? null,
        details: { reason: result.reason, previousForce: subject.force_id },
      })
    }
    if (where) located.push(subjectId)
  }
  return located
}

/**
 * An analyst supplies an address for a subject (typically one waiting in the unresolved queue);
 * locating runs again with it, through the pipeline like any other change.
 */
export async function enterSubjectAddress(
  db: Db,
  actor: Actor & { kind: 'user' },
  subjectId: string,
  address: { street: string | null; city: string | null; postcode: string },
): Promise<void> {
  const postcode = parsePostcode(address.postcode)
  if (!postcode?.full) {
    throw new ValidationError({ postcode: 'Enter a full UK postcode, like DT1 1AA' })
  }
  await db.transaction().execute(async (tx) => {
    const subject = await tx
      .selectFrom('subjects')
      .select('id')
      .where('id', '=', subjectId)
      .executeTakeFirst()
    if (!subject) throw new NotFoundError('subject', subjectId)
    await tx
      .insertInto('subject_addresses')
      .values({
        subject_id: subjectId,
        street: address.street,
        city: address.city,
        postcode: postcode.full!,
        entered_by: actor.userId,
      })
      .execute()
    await recordAudit(tx, actor, {
      action: 'subject.address-entered',
      recordType: 'subject',
      recordId: subjectId,
      details: { district: postcode.district },
    })
    await enqueue(tx, locateSubjectsJob, { subjectIds: [subjectId] })
  })
}
