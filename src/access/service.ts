import { recordAudit } from '../audit/service.js'
import type { Db } from '../platform/db.js'
import { ConflictError, ValidationError } from '../platform/errors.js'
import type { UserRole } from '../platform/schema.js'
import { type Actor, FORCE_ROLES, systemActor, type UserActor } from './model.js'
import {
  countUsers,
  deleteSession,
  findApiToken,
  findSession,
  findUserForSignIn,
  insertApiToken,
  insertSession,
  insertUser,
} from './repo.js'
import { dummyPasswordHash, hashPassword, newSecret, secretHash, verifyPassword } from './secrets.js'

export interface SignedIn {
  /** The cookie value; only its hash is stored. */
  sessionToken: string
  actor: UserActor
}

/** Password sign-in. A wrong username and a wrong password fail alike, in the same time. */
export async function signIn(
  db: Db,
  username: string,
  password: string,
  sessionHours: number,
): Promise<SignedIn | null> {
  const user = await findUserForSignIn(db, username)
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password)
  if (!user || !ok || user.disabled) {
    await recordAudit(db, systemActor('sign-in'), {
      action: 'session.sign-in-failed',
      recordType: 'session',
      recordId: null,
      details: { knownUser: user !== undefined },
    })
    return null
  }
  const sessionToken = newSecret()
  const actor: UserActor = {
    kind: 'user',
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    forceId: user.force_id,
  }
  await db.transaction().execute(async (tx) => {
    await insertSession(tx, {
      idHash: secretHash(sessionToken),
      userId: user.id,
      csrfToken: newSecret(),
      expiresAt: new Date(Date.now() + sessionHours * 3600_000),
    })
    await recordAudit(tx, actor, { action: 'session.signed-in', recordType: 'session', recordId: null })
  })
  return { sessionToken, actor }
}

export async function signOut(db: Db, sessionToken: string, actor: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await deleteSession(tx, secretHash(sessionToken))
    await recordAudit(tx, actor, { action: 'session.signed-out', recordType: 'session', recordId: null })
  })
}

export async function resolveSession(db: Db, sessionToken: string) {
  return findSession(db, secretHash(sessionToken))
}

export async function resolveApiToken(db: Db, token: string): Promise<Actor | null> {
  const row = await findApiToken(db, secretHash(token))
  return row ? { kind: 'token', tokenId: row.id, name: row.name, scope: row.scope } : null
}

export interface NewUser {
  username: string
  displayName: string
  role: UserRole
  forceId: string | null
  password: string
}

export async function createUser(db: Db, actor: Actor, user: NewUser): Promise<string> {
  if (FORCE_ROLES.includes(user.role) !== (user.forceId !== null)) {
    throw new ValidationError({
      force: 'Force SPOCs and investigators belong to a force; other roles do not',
    })
  }
  if (user.password.length < 12)
    throw new ValidationError({ password: 'Use a password of at least 12 characters' })
  const passwordHash = await hashPassword(user.password)
  return db.transaction().execute(async (tx) => {
    if (await findUserForSignIn(tx, user.username))
      throw new ConflictError(`User ${user.username} already exists`)
    const id = await insertUser(tx, { ...user, passwordHash })
    await recordAudit(tx, actor, {
      action: 'user.created',
      recordType: 'user',
      recordId: id,
      forceId: user.forceId,
      details: { username: user.username, role: user.role },
    })
    return id
  })
}

/** Issues a machine token (for intake clients); the token is shown once and stored only as a hash. */
export async function createApiToken(db: Db, actor: Actor, name: string, scope = 'intake'): Promise<string> {
  const token = newSecret()
  await db.transaction().execute(async (tx) => {
    const id = await insertApiToken(tx, { name, tokenHash: secretHash(token), scope })
    await recordAudit(tx, actor, {
      action: 'api-token.created',
      recordType: 'user',
      recordId: id,
      details: { name, scope },
    })
  })
  return token
}

export const DEMO_USERS: Omit<NewUser, 'password'>[] = [
  { username: 'analyst', displayName: 'Alex Analyst', role: 'national_analyst', forceId: null },
  { username: 'coordinator', displayName: 'Casey Coordinator', role: 'national_coordinator', forceId: null },
  { username: 'dorset.spoc', displayName: 'Dana Dorset (SPOC)', role: 'force_spoc', forceId: 'dorset' },
  {
    username: 'dorset.investigator',
    displayName: 'Drew Dorset (investigator)',
    role: 'investigator',
    forceId: 'dorset',
  },
  { username: 'kent.spoc', displayName: 'Kim Kent (SPOC)', role: 'force_spoc', forceId: 'kent' },
  { username: 'auditor', displayName: 'Avery Auditor', role: 'auditor', forceId: null },
]

/**
 * On a new database, creates the demo users with generated passwords and returns them so the caller
 * can print them once. Returns nothing when any user exists: passwords are never shown again.
 */
export async function ensureDemoUsers(db: Db): Promise<(NewUser & { password: string })[]> {
  if ((await countUsers(db)) > 0) return []
  const created: (NewUser & { password: string })[] = []
  for (const user of DEMO_USERS) {
    const password = newSecret(12)
    await createUser(db, systemActor('demo'), { ...user, password })
    created.push({ ...user, password })
  }
  return created
}
