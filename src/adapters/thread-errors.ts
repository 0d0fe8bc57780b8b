import { SchemaflowError, UsageError } from '../domain/errors.js';

/*
 * Errors across a worker thread's boundary. postMessage clones an Error's message and stack but
 * neither its class nor its own fields, so a SchemaflowError would arrive without its code, and
 * the cause chain is lost. A flow worker posts its failure as this data; the main thread
 * rebuilds an error that reports as it would have in one thread.
 */

/** Causes carried at most (as describeError prints them). */
const MAX_CAUSES = 5;

/** An error as data that crosses a thread boundary. */
export interface PortableError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A SchemaflowError's code, whether it may be retried and whether it is a UsageError; absent for any other error. */
  readonly schemaflow?: { readonly code: string; readonly retriable: boolean; readonly usage: boolean };
  readonly cause?: PortableError;
}

/** Any thrown value as a PortableError, with its causes. */
export function toPortableError(error: unknown, depth = 0): PortableError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const cause = error.cause !== undefined && depth < MAX_CAUSES ? toPortableError(error.cause, depth + 1) : undefined;
  const schemaflow = error instanceof SchemaflowError ? { code: error.code, retriable: error.retriable, usage: error instanceof UsageError } : undefined;
  return { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }), ...(schemaflow ? { schemaflow } : {}), ...(cause ? { cause } : {}) };
}

/** The error a PortableError was: a SchemaflowError (or UsageError) with its code, or an Error named as the original; the thread's stack either way. */
export function fromPortableError(portable: PortableError): Error {
  const cause = portable.cause ? fromPortableError(portable.cause) : undefined;
  const flags = portable.schemaflow;
  let error: Error;
  if (flags?.usage) error = new UsageError(portable.message, { code: flags.code, cause });
  else if (flags) error = new SchemaflowError(flags.code, portable.message, { retriable: flags.retriable, cause });
  else {
    error = new Error(portable.message, cause === undefined ? undefined : { cause });
    error.name = portable.name;
  }
  if (portable.stack !== undefined) error.stack = portable.stack;
  return error;
}
