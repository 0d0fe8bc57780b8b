import { SchemaflowError } from '../domain/errors.js';

/** One reason an event does not match its schema: where (a JSON pointer into the event) and why. */
export interface Violation {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
}

/** The event does not match the schema it is sent with; nothing was sent. */
export class EventValidationError extends SchemaflowError {
  readonly subject: string;
  readonly version: number;
  readonly violations: readonly Violation[];
  constructor(subject: string, version: number, violations: readonly Violation[]) {
    super('EVENT_INVALID', `the event does not match ${subject} version ${version}: ${violations.map((violation) => `${violation.path || '(the event)'} ${violation.message}`).join('; ')}; nothing was sent`);
    this.subject = subject;
    this.version = version;
    this.violations = violations;
  }
}

/** A subject or version the manifest does not have. */
export class UnknownSchemaError extends SchemaflowError {
  constructor(message: string) {
    super('UNKNOWN_SCHEMA', message);
  }
}
