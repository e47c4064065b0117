import type { UserRole } from '../platform/schema.js'

/** Who is acting: resolved once per request (or job) and passed whole to every use case. */
export type Actor =
  | {
      kind: 'user'
      userId: string
      username: string
      displayName: string
      role: UserRole
      /** Set for force roles; every query a force user makes is scoped to it. */
      forceId: string | null
    }
  | { kind: 'token'; tokenId: string; name: string; scope: string }
  | { kind: 'system'; label: string }

export type UserActor = Extract<Actor, { kind: 'user' }>

export const ROLE_NAMES: Record<UserRole, string> = {
  national_analyst: 'National analyst',
  national_coordinator: 'National coordinator',
  force_spoc: 'Force SPOC',
  investigator: 'Investigator',
  auditor: 'Auditor',
}

export const NATIONAL_ROLES: readonly UserRole[] = ['national_analyst', 'national_coordinator']
export const FORCE_ROLES: readonly UserRole[] = ['force_spoc', 'investigator']

export function isForceUser(actor: Actor): actor is UserActor & { forceId: string } {
  return actor.kind === 'user' && FORCE_ROLES.includes(actor.role) && actor.forceId !== null
}

export function isNational(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'user' && NATIONAL_ROLES.includes(actor.role))
}

export function systemActor(label: string): Actor {
  return { kind: 'system', label }
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.username
    case 'token':
      return `token:${actor.name}`
    case 'system':
      return `system:${actor.label}`
  }
}

/** Machines with an intake token, and the national bureau's own staff, may send referrals and hashes. */
export function canSubmitToBureau(actor: Actor): boolean {
  return (actor.kind === 'token' && actor.scope === 'intake') || (actor.kind === 'user' && isNational(actor))
}
