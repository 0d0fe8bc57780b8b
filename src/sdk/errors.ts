import { SchemaflowError } from '../domain/errors.js';
import type { Violation } from '../manifest/registry.js';

export { UnknownSchemaError, type Violation } from '../manifest/registry.js';

/** Violations as one line: each path (`(the event)` for the root) and what is wrong there. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((violation) => `${violation.path || '(the event)'} ${violation.message}`).join('; ');
}

/** The event does not match the schema it is sent with; nothing was sent. */
export class EventValidationError extends SchemaflowError {
  readonly subject: string;
  readonly version: number;
  readonly violations: readonly Violation[];
  constructor(subject: string, version: number, violations: readonly Violation[]) {
    super('EVENT_INVALID', `the event does not match ${subject} version ${version}: ${describeViolations(violations)}; nothing was sent`);
    this.subject = subject;
    this.version = version;
    this.violations = violations;
  }
}
