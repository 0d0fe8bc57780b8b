import { SchemaflowError, UsageError } from '../domain/errors.js';

/*
 * Errors across a worker thread's boundary. postMessage clones an Error's message and stack but
 * neither its class nor its own fields, so a SchemaflowError would arrive without its code, and
 * the cause chain is lost. A flow worker posts its failure as this data; the main thread
 * rebuilds an error that reports as it would have in one thread.
 */

/** Causes carried at most (as describeError prints them). */
const MAX_CAUSES = 5;
/** Members of an AggregateError carried at most (Node's connect tries every address a host resolves to, so two or a few). */
const MAX_MEMBERS = 10;

/** An error as data that crosses a thread boundary. */
export interface PortableError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A SchemaflowError's code, whether it may be retried and whether it is a UsageError; absent for any other error. */
  readonly schemaflow?: { readonly code: string; readonly retriable: boolean; readonly usage: boolean };
  /** Any other error's own `code` (Node's `ECONNREFUSED`, a Kafka protocol error's number). */
  readonly code?: string | number;
  readonly cause?: PortableError;
  /** An AggregateError's members (Node's connect fails with one per address it tried), each with its causes. */
  readonly errors?: readonly PortableError[];
}

/** Any thrown value as a PortableError, with its causes and an AggregateError's members. */
export function toPortableError(error: unknown, depth = 0): PortableError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const deeper = depth < MAX_CAUSES;
  const cause = error.cause !== undefined && deeper ? toPortableError(error.cause, depth + 1) : undefined;
  const errors = error instanceof AggregateError && deeper && Array.isArray(error.errors) ? (error.errors as unknown[]).slice(0, MAX_MEMBERS).map((member) => toPortableError(member, depth + 1)) : undefined;
  const schemaflow = error instanceof SchemaflowError ? { code: error.code, retriable: error.retriable, usage: error instanceof UsageError } : undefined;
  const own = (error as { code?: unknown }).code;
  const code = !schemaflow && (typeof own === 'string' || typeof own === 'number') ? own : undefined;
  return { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }), ...(schemaflow ? { schemaflow } : {}), ...(code === undefined ? {} : { code }), ...(cause ? { cause } : {}), ...(errors ? { errors } : {}) };
}

/**
 * The error a PortableError was: a SchemaflowError (or UsageError) with its code, an
 * AggregateError with its members, or an Error named as the original with its `code`; the
 * thread's stack either way.
 */
export function fromPortableError(portable: PortableError): Error {
  const cause = portable.cause ? fromPortableError(portable.cause) : undefined;
  const flags = portable.schemaflow;
  let error: Error;
  if (flags?.usage) error = new UsageError(portable.message, { code: flags.code, cause });
  else if (flags) error = new SchemaflowError(flags.code, portable.message, { retriable: flags.retriable, cause });
  else {
    const options = cause === undefined ? undefined : { cause };
    error = portable.errors ? new AggregateError(portable.errors.map(fromPortableError), portable.message, options) : new Error(portable.message, options);
    error.name = portable.name;
    if (portable.code !== undefined) Object.assign(error, { code: portable.code });
  }
  if (portable.stack !== undefined) error.stack = portable.stack;
  return error;
}
