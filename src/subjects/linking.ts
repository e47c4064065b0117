import { OVER_LINKED_REFERRALS } from './repo.js'

/** Pure rules of subject linking for one batch: who ends up as one person. No I/O. */

/** One identifier a batch referral names, with what linking already knows of it. */
export interface BatchIdentifier {
  referralId: string
  identifierId: string
  kind: string
  /** A normalised identifier of the reported person: the only rows that may link. */
  links: boolean
  /** Resolved referrals that named it before this batch, in any role. */
  earlierReferrals: number
  /** The live subject it last linked into, or null. */
  subjectId: string | null
}

export interface LinkGroup {
  /** Live subjects this group joins, oldest first: the first survives and the others merge into it. */
  subjects: string[]
  /** The batch's referrals that become this person, in batch order. */
  referrals: string[]
  /** The identifiers it linked through, which will name its subject from now on. */
  identifiers: string[]
}

export interface LinkPlan {
  /** One per person among the batch's referrals, in the order of their first referral. */
  groups: LinkGroup[]
  /** Every batch identifier: referrals naming it once this batch is counted, and its subject before. */
  counts: Map<string, { referrals: number; subjectId: string | null }>
  /** Per referral, its reported person's identifiers left unused because too many referrals name them. */
  capped: Map<string, string[]>
  /** Per referral, the usable identifiers it shares with another referral. */
  shared: Map<string, { kind: string; id: string }[]>
}

/** Union-find over referral, identifier and subject nodes ('r1', 'i4', 's7'). */
class Components {
  private readonly parent = new Map<string, string>()
  find(node: string): string {
    let root = node
    for (let next = this.parent.get(root); next !== undefined && next !== root; next = this.parent.get(root))
      root = next
    this.parent.set(node, root)
    return root
  }
  join(a: string, b: string) {
    const [x, y] = [this.find(a), this.find(b)]
    if (x !== y) this.parent.set(x, y)
  }
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T) {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/**
 * Links the batch's referrals (`unresolved`, in order) into people. An identifier counts every
 * referral naming it in any role, earlier ones and this batch's; past `cap` it is a hub (a support
 * address, a placeholder, a phone many suspects messaged) and links no one. Under the cap, referrals
 * whose reported persons share it are one person, together with the subject earlier holders were
 * linked into. A whole batch is one graph, so a chain inside it (e-mail, e-mail + phone, phone) links.
 */
export function planLinks(
  unresolved: readonly string[],
  rows: readonly BatchIdentifier[],
  cap = OVER_LINKED_REFERRALS,
): LinkPlan {
  const namedBy = new Map<string, Set<string>>()
  const before = new Map<string, { referrals: number; subjectId: string | null }>()
  for (const row of rows) {
    const set = namedBy.get(row.identifierId) ?? new Set<string>()
    set.add(row.referralId)
    namedBy.set(row.identifierId, set)
    before.set(row.identifierId, { referrals: row.earlierReferrals, subjectId: row.subjectId })
  }
  const counts = new Map<string, { referrals: number; subjectId: string | null }>()
  for (const [id, was] of before)
    counts.set(id, { referrals: was.referrals + namedBy.get(id)!.size, subjectId: was.subjectId })
  const total = (row: BatchIdentifier) => counts.get(row.identifierId)!.referrals

  const components = new Components()
  const usable = rows.filter((row) => row.links && total(row) <= cap)
  for (const row of usable) {
    components.join(`r${row.referralId}`, `i${row.identifierId}`)
    if (row.subjectId !== null) components.join(`s${row.subjectId}`, `i${row.identifierId}`)
  }
  const byRoot = new Map<string, { subjects: Set<string>; referrals: string[]; identifiers: Set<string> }>()
  const groupOf = (node: string) => {
    const root = components.find(node)
    let group = byRoot.get(root)
    if (!group) {
      group = { subjects: new Set(), referrals: [], identifiers: new Set() }
      byRoot.set(root, group)
    }
    return group
  }
  for (const id of unresolved) groupOf(`r${id}`).referrals.push(id)
  for (const row of usable) {
    const group = groupOf(`i${row.identifierId}`)
    group.identifiers.add(row.identifierId)
    if (row.subjectId !== null) group.subjects.add(row.subjectId)
  }
  const groups = [...byRoot.values()]
    .filter((g) => g.referrals.length > 0)
    .map((g) => ({
      subjects: [...g.subjects].sort((a, b) => Number(a) - Number(b)),
      referrals: g.referrals,
      identifiers: [...g.identifiers],
    }))

  const capped = new Map<string, string[]>()
  const shared = new Map<string, { kind: string; id: string }[]>()
  const seen = new Set<string>()
  for (const row of rows) {
    if (!row.links) continue
    // A referral may name one identifier at two paths: listed once.
    const key = `${row.referralId}/${row.identifierId}`
    if (seen.has(key)) continue
    seen.add(key)
    if (total(row) > cap) pushTo(capped, row.referralId, row.identifierId)
    else if (total(row) > 1) pushTo(shared, row.referralId, { kind: row.kind, id: row.identifierId })
  }
  return { groups, counts, capped, shared }
}
