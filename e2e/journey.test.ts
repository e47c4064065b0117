import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../src/access/model.js'
import { createApiToken } from '../src/access/service.js'
import { createTestDatabase, type TestDatabase } from '../test/database.js'
import { knownHashes, leReport, makeUser, TEST_PASSWORD } from '../test/factories.js'
import { testApp } from '../test/http.js'
import { chromiumAvailable, expectAccessible, launchBrowser } from './browser.js'

let t: TestDatabase
let app: FastifyInstance
let base: string
let browser: Browser
let token: string

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Chromium is not installed: run `apt-get install -y chromium` (.ci/run does)')
  t = await createTestDatabase()
  await makeUser(t.db, 'analyst', 'national_analyst')
  await makeUser(t.db, 'dorset.spoc', 'force_spoc', 'dorset')
  await makeUser(t.db, 'kent.spoc', 'force_spoc', 'kent')
  await knownHashes(t.db, [{ text: 'journey-known-b', category: 'B' }])
  token = await createApiToken(t.db, systemActor('tests'), 'journey-feed')
  app = await testApp(t)
  base = await app.listen({ port: 0, host: '127.0.0.1' })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
  await t?.drop()
})

async function signIn(page: Page, username: string) {
  await page.goto(`${base}/sign-in`)
  await expectAccessible(page, 'sign-in')
  await page.fill('#username', username)
  await page.fill('#password', TEST_PASSWORD)
  await page.click('button:has-text("Sign in")')
}

async function pressLine(page: Page): Promise<string> {
  await page.goto(`${base}/figures`)
  await expectAccessible(page, 'figures')
  return (await page.textContent('#national-press-line')) ?? ''
}

describe('a referral from intake to a force outcome and the national figures', () => {
  it('is ingested by API, approved by the analyst, acted on by Dorset and counted nationally', {
    timeout: 180_000,
  }, async () => {
    const response = await fetch(`${base}/api/referrals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(
        leReport({ email: 'journey@example.org', postcode: 'DT1 1AA', files: ['journey-known-b'] }),
      ),
    })
    expect(response.status).toBe(201)
    await t.drain()

    const analystContext = await browser.newContext()
    analystContext.setDefaultTimeout(10_000)
    const analyst = await analystContext.newPage()
    await signIn(analyst, 'analyst')
    const before = await pressLine(analyst)
    expect(before).toContain('0 children have been safeguarded and 0 people arrested')

    await analyst.goto(`${base}/review`)
    await expectAccessible(analyst, 'review queue')
    await analyst.click('table a.govuk-link')
    await expectAccessible(analyst, 'package awaiting review')
    expect(await analyst.textContent('main')).toContain('1 known indecent file(s) (B: 1, C: 0)')
    // Raising the band without a reason is refused with an error summary.
    await analyst.check('#band')
    await analyst.click('button:has-text("Approve and send to Dorset Police")')
    await expect.poll(() => analyst.textContent('.govuk-error-summary')).toContain('Give a reason')
    await expectAccessible(analyst, 'approve with an error')
    await analyst.fill('#reason', 'Household includes children (analyst research)')
    await analyst.click('button:has-text("Approve and send to Dorset Police")')
    await expect
      .poll(() => analyst.textContent('.govuk-notification-banner'))
      .toContain('approved and sent to Dorset Police')
    await expectAccessible(analyst, 'review queue after approval')

    const dorsetContext = await browser.newContext()
    dorsetContext.setDefaultTimeout(10_000)
    const dorset = await dorsetContext.newPage()
    await signIn(dorset, 'dorset.spoc')
    await expectAccessible(dorset, 'force inbox')
    await dorset.click('table a.govuk-link')
    const packageUrl = dorset.url()
    await expectAccessible(dorset, 'force package')
    await dorset.click('button:has-text("Acknowledge receipt")')
    expect(await dorset.textContent('.govuk-notification-banner')).toContain('Package acknowledged')

    const record = async (kind: string, fill: Record<string, string>) => {
      await dorset.check(`input[name="kind"][value="${kind}"]`)
      await dorset.fill('#occurredOn-day', '20')
      await dorset.fill('#occurredOn-month', '11')
      await dorset.fill('#occurredOn-year', '2026')
      for (const [field, value] of Object.entries(fill)) await dorset.fill(field, value)
      await dorset.click('button:has-text("Record outcome")')
      expect(await dorset.textContent('.govuk-notification-banner')).toContain('Outcome recorded')
    }
    // An incomplete outcome shows errors and is not stored.
    await dorset.check('input[name="kind"][value="charge"]')
    await dorset.click('button:has-text("Record outcome")')
    expect(await dorset.textContent('.govuk-error-summary')).toContain('Enter the offence charged')
    await expectAccessible(dorset, 'outcome form with errors')
    await dorset.goto(packageUrl)
    await record('arrest', {})
    await record('charge', { '#offence': 'Making indecent photographs of children' })
    await expectAccessible(dorset, 'package with outcomes')

    // The same forms work without JavaScript (axe needs script, so it runs on the pages above).
    const noScript = await browser.newContext({ javaScriptEnabled: false })
    noScript.setDefaultTimeout(10_000)
    const plain = await noScript.newPage()
    await plain.goto(`${base}/sign-in`)
    await plain.fill('#username', 'dorset.spoc')
    await plain.fill('#password', TEST_PASSWORD)
    await plain.click('button:has-text("Sign in")')
    await plain.goto(packageUrl)
    await plain.check('input[name="kind"][value="children_safeguarded"]')
    await plain.fill('#occurredOn-day', '21')
    await plain.fill('#occurredOn-month', '11')
    await plain.fill('#occurredOn-year', '2026')
    await plain.fill('#children', '2')
    await plain.click('button:has-text("Record outcome")')
    expect(await plain.textContent('.govuk-notification-banner')).toContain('Outcome recorded')
    await dorset.goto(`${base}/figures`)
    expect(await dorset.textContent('#force-press-line')).toContain(
      'in the Dorset Police area 1 person has been arrested, 1 charged',
    )

    const after = await pressLine(analyst)
    expect(after).toContain('2 children have been safeguarded and 1 person arrested across the UK')
    const dorsetRow = analyst.locator('#force-figures tr', { hasText: 'Dorset Police' })
    expect((await dorsetRow.locator('td').allTextContents()).map((s) => s.trim())).toEqual([
      '1',
      '1',
      '0',
      '1',
      '1',
      '0',
      '2',
    ])

    // Kent gets nothing of Dorset's: the package does not exist for them.
    const kentContext = await browser.newContext()
    kentContext.setDefaultTimeout(10_000)
    const kent = await kentContext.newPage()
    await signIn(kent, 'kent.spoc')
    const refused = await kent.goto(packageUrl)
    expect(refused?.status()).toBe(404)
    await expectAccessible(kent, 'not found')
    expect(await kent.textContent('main')).not.toContain('journey@example.org')

    await analyst.goto(`${base}/unresolved`)
    await expectAccessible(analyst, 'unresolved queue')
  })
})

describe('every other page a national user opens', () => {
  it('passes axe, including the error states of its forms', { timeout: 120_000 }, async () => {
    const context = await browser.newContext()
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    await signIn(page, 'analyst')
    const referral = await t.db
      .selectFrom('referrals')
      .select(['id', 'subject_id'])
      .orderBy('id')
      .executeTakeFirstOrThrow()
    for (const path of [
      `/referrals/${referral.id}`,
      `/subjects/${referral.subject_id}`,
      '/admin/jobs',
      '/accessibility',
    ]) {
      const response = await page.goto(`${base}${path}`)
      expect(response?.status(), path).toBe(200)
      await expectAccessible(page, path)
    }
    await page.goto(`${base}/partner-referrals/new`)
    await expectAccessible(page, 'partner referral form')
    await page.click('button:has-text("Record referral")')
    expect(await page.textContent('.govuk-error-summary')).toContain('There is a problem')
    await expectAccessible(page, 'partner referral form with errors')
    await page.goto(`${base}/subjects/${referral.subject_id}`)
    await page.fill('#postcode', 'not a postcode')
    await page.click('button:has-text("Save and locate")')
    expect(await page.textContent('.govuk-error-summary')).toContain('postcode')
    await expectAccessible(page, 'address entry with an error')
  })
})
