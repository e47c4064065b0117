/**
 * Word lists for the demo. Names are deliberately odd-sounding so nobody mistakes a demo subject for a real
 * person; places are invented; every domain is an RFC 2606 example domain.
 */

export const FIRST_NAMES = [
  'Alder',
  'Brannock',
  'Corvin',
  'Dashel',
  'Ellory',
  'Fenwick',
  'Garrow',
  'Halden',
  'Ismay',
  'Jorvik',
  'Kestrel',
  'Larkin',
  'Merrow',
  'Nollan',
  'Orrin',
  'Pellam',
  'Quillon',
  'Rostam',
  'Sorrel',
  'Tamsin',
  'Ulric',
  'Varrick',
  'Wendell',
  'Yarrow',
  'Zephyrin',
  'Auden',
  'Bexley',
  'Caspian',
  'Dorrin',
  'Emrys',
] as const

export const LAST_NAMES = [
  'Ashgrove',
  'Brackenridge',
  'Cindermoor',
  'Dunhallow',
  'Eldermere',
  'Fernhollow',
  'Gorsebrook',
  'Hazelwick',
  'Ivyholme',
  'Juniperfield',
  'Kettleby',
  'Larchmont',
  'Marshcombe',
  'Nettlestead',
  'Oakenshaw',
  'Pebblecott',
  'Quarrington',
  'Rushmere',
  'Saltmarsh',
  'Thistlewood',
  'Umberstone',
  'Vetchley',
  'Willowcroft',
  'Yewbarrow',
  'Applethwaite',
  'Birchanger',
  'Coldharbour',
  'Dimmock',
] as const

// Every stem is an obviously made-up word: nature words ('Ash' + 'ford') rebuild real towns too easily.
const TOWN_STEMS = [
  'Example',
  'Sample',
  'Fiction',
  'Mock',
  'Specimen',
  'Placeholder',
  'Demo',
  'Pretend',
  'Dummy',
  'Notional',
  'Proxyl',
  'Templat',
  'Testing',
  'Synthe',
] as const
const TOWN_ENDINGS = ['ford', 'ham', 'ton', 'bury', 'wick', 'combe', 'field', 'by', 'stow', 'mere', 'well']

/**
 * Three invented towns per force, derived from the force's position rather than the seed, so a force's
 * towns stay the same across seeds (a demo user sees the same places every time).
 */
export function townsForForce(forceIndex: number): string[] {
  return [0, 1, 2].map((k) => {
    const stem = TOWN_STEMS[(forceIndex * 5 + k * 11) % TOWN_STEMS.length]
    const ending = TOWN_ENDINGS[(forceIndex * 3 + k * 4) % TOWN_ENDINGS.length]
    return `${stem}${ending}`
  })
}

export const STREET_NAMES = [
  'Example',
  'Sample',
  'Fictional',
  'Demo',
  'Placeholder',
  'Specimen',
  'Template',
  'Imaginary',
  'Pretend',
  'Mockingbird',
  'Testbed',
  'Lantern',
] as const
export const STREET_TYPES = [
  'Road',
  'Street',
  'Lane',
  'Close',
  'Avenue',
  'Crescent',
  'Way',
  'Gardens',
] as const

/** Inward-code letters: Royal Mail never uses C, I, K, M, O or V in the last two characters. */
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'] as const

export interface DemoPlatform {
  /** What the report calls the service (incidentSummary.platform, espService). */
  name: string
  /** The reporting company. */
  espName: string
  host: string
  incident: 'chat' | 'webpage' | 'none'
}

export const PLATFORMS: readonly DemoPlatform[] = [
  { name: 'Example Chat', espName: 'Example Chat Ltd', host: 'chat.example.com', incident: 'chat' },
  { name: 'Sample Social', espName: 'Sample Social Inc.', host: 'social.example.net', incident: 'webpage' },
  { name: 'Demo Video', espName: 'Demo Video Ltd', host: 'video.example.org', incident: 'webpage' },
  {
    name: 'Specimen Cloud',
    espName: 'Specimen Cloud Storage Ltd',
    host: 'cloud.example.com',
    incident: 'none',
  },
]

export const ISPS = ['Example Broadband', 'Sample Telecom', 'Demo Mobile', 'Fictional Fibre'] as const

export const ESCALATIONS = [
  'Child may be in imminent danger (fictional demo text)',
  'User appears to have ongoing contact with a child in the household (fictional demo text)',
  'Account is actively soliciting new material from a minor (fictional demo text)',
] as const

export const OFFENCES = {
  making: 'Making indecent photographs of children (Protection of Children Act 1978 s.1(1)(a))',
  distributing: 'Distributing indecent photographs of children (Protection of Children Act 1978 s.1(1)(b))',
  possession: 'Possession of indecent photographs of a child (Criminal Justice Act 1988 s.160)',
  inciting: 'Causing or inciting a child to engage in sexual activity (Sexual Offences Act 2003 s.10)',
  communicating: 'Sexual communication with a child (Sexual Offences Act 2003 s.15A)',
} as const

export const SERIES = ['Series ALPHA-DEMO', 'Series BRAVO-DEMO', 'Series CHARLIE-DEMO', 'Series DELTA-DEMO']
