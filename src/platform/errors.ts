/** Domain errors, mapped to HTTP statuses once, in the HTTP error handler. */

/** Missing, or not yours to see: both are 404 so that existence is not disclosed across forces. */
export class NotFoundError extends Error {
  constructor(
    readonly recordType: string,
    readonly recordId: string,
  ) {
    super(`${recordType} ${recordId} not found`)
    this.name = 'NotFoundError'
  }
}

export class ForbiddenError extends Error {
  constructor(message = 'You do not have permission to do that') {
    super(message)
    this.name = 'ForbiddenError'
  }
}

/** The request is understood but not allowed in the record's current state. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConflictError'
  }
}

/** Field-level problems, keyed by field name, worded for the person filling in the form. */
export class ValidationError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(Object.values(fields).join('; '))
    this.name = 'ValidationError'
  }
}
