import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect } from '../src/platform/db.js'
import { createTestDatabase, type TestDatabase } from './database.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

async function randomPageCost(): Promise<string> {
  const { rows } = await sql<{ cost: string }>`select current_setting('random_page_cost') as cost`.execute(
    t.db,
  )
  return rows[0]!.cost
}

it('prices index probes for cached data on every connection, unless an operator chose a value', async () => {
  expect(await randomPageCost()).toBe('1.1')

  const previous = process.env.PGOPTIONS
  process.env.PGOPTIONS = '-c random_page_cost=2.5'
  const operator = connect(t.url, 1)
  try {
    const { rows } = await sql<{ cost: string }>`select current_setting('random_page_cost') as cost`.execute(
      operator.db,
    )
    expect(rows[0]?.cost).toBe('2.5')
  } finally {
    if (previous === undefined) delete process.env.PGOPTIONS
    else process.env.PGOPTIONS = previous
    await operator.close()
  }
})
