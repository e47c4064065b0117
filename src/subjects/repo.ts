/**
 * An identifier seen in more referrals than this is shared (a platform's support address, a
 * placeholder like test@test.com, a family phone) and is shown but not used to link.
 */
export const OVER_LINKED_REFERRALS = 25
