import { RefusalError } from '../src/intake/model.js'

/** The RefusalError an action throws; anything else (or nothing) fails the test. */
export function refusalOf(action: () => unknown): RefusalError {
  try {
    action()
  } catch (error) {
    if (error instanceof RefusalError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

/** The same for an action that settles later. */
export async function refusalOfAsync(action: () => Promise<unknown>): Promise<RefusalError> {
  const error = await action().then(
    () => new Error('expected a refusal'),
    (thrown: unknown) => thrown,
  )
  if (error instanceof RefusalError) return error
  throw error
}
