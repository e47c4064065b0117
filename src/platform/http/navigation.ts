import type { Actor } from '../../access/model.js'

interface NavItem {
  href: string
  text: string
  active?: boolean
}

/** Top-level sections by role: each person sees only the sections they can use. */
export function navigationFor(actor: Actor | null, url: string): NavItem[] {
  if (actor?.kind !== 'user') return []
  const items: NavItem[] = []
  switch (actor.role) {
    case 'national_analyst':
      items.push(
        { href: '/review', text: 'Review queue' },
        { href: '/unresolved', text: 'Unresolved subjects' },
        { href: '/partner-referrals/new', text: 'Partner referral' },
      )
      items.push({ href: '/figures', text: 'National figures' }, { href: '/admin/jobs', text: 'Failed jobs' })
      break
    case 'national_coordinator':
      items.push(
        { href: '/figures', text: 'National figures' },
        { href: '/review', text: 'Review queue' },
        { href: '/admin/jobs', text: 'Failed jobs' },
      )
      break
    case 'force_spoc':
    case 'investigator':
      items.push({ href: '/inbox', text: 'Force inbox' }, { href: '/figures', text: 'Figures' })
      break
    case 'auditor':
      break
  }
  const path = url.split('?')[0] ?? ''
  return items.map((i) => ({ ...i, active: path === i.href || path.startsWith(`${i.href}/`) }))
}
