import type { ForceFigures, Totals } from './figures.js'

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
})

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`
}

/** The national line, in the form the police publish it. */
export function nationalPressLine(totals: Totals, asOf: Date): string {
  const children = count(totals.childrenSafeguarded, 'child has', 'children have')
  return `As of ${dateFormat.format(asOf)}, ${children} been safeguarded and ${count(totals.peopleArrested, 'person', 'people')} arrested across the UK.`
}

/** A force's line: "In Dorset, 8 people have been arrested, 3 charged and 5 are on bail." */
export function forcePressLine(force: ForceFigures, asOf: Date): string {
  const area = force.forceName
  const parts = [
    `${count(force.peopleArrested, 'person has', 'people have')} been arrested`,
    `${force.peopleCharged.toLocaleString('en-GB')} charged`,
    `${force.onBail.toLocaleString('en-GB')} ${force.onBail === 1 ? 'is' : 'are'} on bail`,
  ]
  const children = `${count(force.childrenSafeguarded, 'child has', 'children have')} been safeguarded`
  return `As of ${dateFormat.format(asOf)}, in the ${area} area ${parts[0]}, ${parts[1]} and ${parts[2]}; ${children}.`
}

/** Signposting the police include with every release. */
export const HELP_SIGNPOST =
  'Anyone worried about their own thoughts or behaviour towards children can get confidential help from the Stop It Now helpline on 0808 1000 900.'
