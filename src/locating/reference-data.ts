import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import type { Db } from '../platform/db.js'
import { projectRoot } from '../platform/paths.js'

const FILES = ['forces.csv', 'postcode_district_to_force.csv', 'postcode_area_to_force.csv'] as const

type CsvRow = Record<string, string>

async function readCsv(name: string): Promise<{ rows: CsvRow[]; sha256: string }> {
  const text = await readFile(join(projectRoot, 'reference', name), 'utf8')
  return {
    rows: parse(text, { columns: true, skip_empty_lines: true }) as CsvRow[],
    sha256: createHash('sha256').update(text).digest('hex'),
  }
}

/**
 * Loads the shipped reference tables (reference/*.csv) into Postgres when they are new or have
 * changed, in one transaction. Forces are upserted, never deleted: users and packages refer to them.
 */
export async function loadReferenceData(db: Db): Promise<boolean> {
  const [forces, districts, areas] = await Promise.all(FILES.map(readCsv))
  const fingerprint = createHash('sha256')
    .update([forces!.sha256, districts!.sha256, areas!.sha256].join(','))
    .digest('hex')
  await sql`create table if not exists reference_data_loads (fingerprint text primary key, loaded_at timestamptz not null default now())`.execute(
    db,
  )
  const loaded = await sql`select 1 from reference_data_loads where fingerprint = ${fingerprint}`.execute(db)
  if (loaded.rows.length > 0) return false
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('forces')
      .values(
        forces!.rows.map((r) => ({ id: r.id!, name: r.name!, ons_code: r.ons_code!, country: r.country! })),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          ons_code: eb.ref('excluded.ons_code'),
          country: eb.ref('excluded.country'),
        })),
      )
      .execute()
    await tx.deleteFrom('postcode_districts').execute()
    const districtRows = districts!.rows.map((r) => ({
      district: r.district!,
      area: r.postcode_area!,
      force_id: r.force_id || null,
      status: r.status!,
      confidence: r.confidence!,
    }))
    for (let i = 0; i < districtRows.length; i += 1000) {
      await tx
        .insertInto('postcode_districts')
        .values(districtRows.slice(i, i + 1000))
        .execute()
    }
    await tx.deleteFrom('postcode_areas').execute()
    await tx
      .insertInto('postcode_areas')
      .values(
        areas!.rows.map((r) => ({
          area: r.postcode_area!,
          primary_force_id: r.primary_force_id!,
          primary_share: r.primary_share!,
        })),
      )
      .execute()
    await sql`insert into reference_data_loads (fingerprint) values (${fingerprint})`.execute(tx)
  })
  return true
}
