import type { FastifyPluginAsync } from 'fastify'
import { canSubmitToBureau } from '../access/model.js'
// The content type `footprint hash --submit` sends: one definition, so client and server agree.
import { MANIFEST_CONTENT_TYPE } from '../hashing/submit.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireApiActor } from '../platform/http/auth.js'
import { inMemory } from './hash-list-sources.js'
import {
  ManifestLineError,
  matchManifestRecords,
  type NumberedManifestLine,
  readManifest,
} from './manifest-lines.js'
import { matcherFor } from './matcher.js'

export function matchingRoutes(deps: RouteDependencies): FastifyPluginAsync {
  return async (app) => {
    // Manifests only: this is the one body type the route parses, so an image (or anything else)
    // is refused with 415 before it is read.
    app.addContentTypeParser(MANIFEST_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    )

    app.post(
      '/api/hash-manifests',
      {
        schema: {
          description:
            'Match a hash manifest (the JSON Lines output of `footprint hash`: path, size, md5, sha1, pdq, quality, ' +
            'mode, dihedral, notes, error) against the known-image library. Hashes only: images are never accepted. ' +
            'Answers with every match, its distance, category and hash set. A line that is not a manifest record ' +
            'refuses the whole request.',
          security: [{ token: [] }],
        },
      },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        if (!canSubmitToBureau(actor))
          return reply.code(403).send({ error: 'This token or user may not match manifests' })
        if (typeof request.body !== 'string') {
          return reply
            .code(415)
            .send({ error: `Send a hash manifest as ${MANIFEST_CONTENT_TYPE}: one JSON record per line` })
        }
        const records: NumberedManifestLine[] = []
        try {
          for await (const record of readManifest(inMemory(request.body))) records.push(record)
        } catch (error) {
          if (!(error instanceof ManifestLineError)) throw error
          return reply.code(422).send({
            error: `Not a hash manifest: ${error.message}`,
            line: error.line,
            field: error.field,
          })
        }
        if (records.length === 0) return reply.code(422).send({ error: 'The manifest has no records' })
        const matches = await matchManifestRecords(matcherFor(deps.db), records)
        return reply.send({
          records: records.length,
          filesMatched: new Set(matches.map((m) => m.line)).size,
          matches,
        })
      },
    )
  }
}
