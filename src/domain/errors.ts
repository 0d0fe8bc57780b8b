/**
 * The few error classes schemaflow throws. Problems found in user input (a schema, a record)
 * are data (findings, quarantine entries), never exceptions: these are for runs that cannot
 * continue. Every error carries a stable UPPER_SNAKE `code`, whether retrying may help, and
 * the underlying `cause`.
 */
export interface SchemaflowErrorOptions {
  /** Whether the same call may succeed if tried again (network, broker election, 429/5xx). */
  readonly retriable?: boolean;
  /** The error this one wraps. */
  readonly cause?: unknown;
}

/** A run that cannot continue. Exit code 1 at the CLI. */
export class SchemaflowError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  /** The process exit code the CLI uses when this error ends a command. */
  readonly exitCode: 1 | 2 = 1;

  constructor(code: string, message: string, options: SchemaflowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/**
 * A bad invocation or bad configuration: an unknown flag, a malformed setting, a missing
 * argument. Exit code 2 at the CLI (DESIGN.md §8).
 */
export class UsageError extends SchemaflowError {
  override readonly exitCode = 2;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(options.code ?? 'USAGE', message, { cause: options.cause });
  }
}

/**
 * A pattern the check could not prove safe took too long on one value (or the check's time for
 * such patterns ran out): the compatibility comparison that ran it stops, and the check reports
 * PATTERN_TIMEOUT on the versions it was comparing.
 */
export class PatternTimeoutError extends SchemaflowError {
  readonly pattern: string;
  readonly reason: string;

  constructor(pattern: string, reason: string) {
    super('PATTERN_TIMEOUT', `The pattern ${JSON.stringify(pattern)} was stopped: ${reason}.`);
    this.pattern = pattern;
    this.reason = reason;
  }
}

/** The message of one thrown value (an Error's message, anything else as a string). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A one-line warning for a failure the run goes on after: `warning: CODE: message` (the code when it has one). */
export function warningLine(error: unknown): string {
  return `warning: ${error instanceof SchemaflowError ? `${error.code}: ` : ''}${messageOf(error)}`;
}

/** A message for any thrown value, including the chain of causes. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    const message = current instanceof Error ? current.message : typeof current === 'string' ? current : JSON.stringify(current);
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n  caused by: ');
}
