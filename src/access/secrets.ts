import { createHash, randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

/** A new random secret (session cookie, CSRF token, API token, demo password). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** Secrets are stored as their SHA-256: a copy of the table gives no working session or token. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** argon2id with the library's defaults (19 MiB, 2 passes), the OWASP minimum. */
export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// Verifying against this when the user does not exist keeps the response time the same, so the
// sign-in form does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash(newSecret())
  return dummyHash
}
