import type { Queryable } from '../platform/db.js'
import type { UserRole } from '../platform/schema.js'
import type { UserActor } from './model.js'

export async function findUserForSignIn(db: Queryable, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role', 'force_id', 'password_hash', 'disabled'])
    .where('username', '=', username.trim().toLowerCase())
    .executeTakeFirst()
}

export async function insertSession(
  db: Queryable,
  session: { idHash: string; userId: string; csrfToken: string; expiresAt: Date },
) {
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt,
    })
    .execute()
}

export async function findSession(
  db: Queryable,
  idHash: string,
): Promise<{ actor: UserActor; csrfToken: string } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.force_id',
      'sessions.csrf_token',
    ])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', new Date())
    .where('users.disabled', '=', false)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    csrfToken: row.csrf_token,
    actor: {
      kind: 'user',
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      forceId: row.force_id,
    },
  }
}

export async function deleteSession(db: Queryable, idHash: string) {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
}

export async function insertUser(
  db: Queryable,
  user: {
    username: string
    displayName: string
    role: UserRole
    forceId: string | null
    passwordHash: string
  },
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      username: user.username.toLowerCase(),
      display_name: user.displayName,
      role: user.role,
      force_id: user.forceId,
      password_hash: user.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function countUsers(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findApiToken(db: Queryable, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scope'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
}

export async function insertApiToken(
  db: Queryable,
  token: { name: string; tokenHash: string; scope: string },
) {
  const row = await db
    .insertInto('api_tokens')
    .values({ name: token.name, token_hash: token.tokenHash, scope: token.scope })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
