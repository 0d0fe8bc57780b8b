import { describe, expect, it } from 'vitest';
import { fromPortableError, toPortableError } from '../../../src/adapters/thread-errors.js';
import { SchemaflowError, UsageError, describeError } from '../../../src/domain/errors.js';

/* What a flow worker posts when it fails, and what the main thread makes of it (through a structured clone, as postMessage does). */
const across = (error: unknown): Error => fromPortableError(structuredClone(toPortableError(error)));

describe('errors across a thread boundary', () => {
  it('keep a SchemaflowError’s class, code, retriable flag, causes and stack', () => {
    const original = new SchemaflowError('KAFKA_FAILED', 'reading records failed: Connection error', { retriable: true, cause: new Error('Connection error', { cause: new Error('ECONNREFUSED 127.0.0.1:9092') }) });
    const rebuilt = across(original);
    expect(rebuilt).toBeInstanceOf(SchemaflowError);
    expect(rebuilt).toMatchObject({ name: 'SchemaflowError', code: 'KAFKA_FAILED', retriable: true, exitCode: 1, stack: original.stack });
    expect(describeError(rebuilt)).toBe(describeError(original));
  });

  it('keep a UsageError one (exit 2, its code)', () => {
    const rebuilt = across(new UsageError('--subjects names apps-userz', { code: 'CONFIG_INVALID' }));
    expect(rebuilt).toBeInstanceOf(UsageError);
    expect(rebuilt).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2, message: '--subjects names apps-userz' });
  });

  it('keep any other error unexpected: its name, message and the stack of the thread it was thrown in', () => {
    const original = new TypeError("Cannot read properties of undefined (reading 'next')");
    const rebuilt = across(original);
    expect(rebuilt).not.toBeInstanceOf(SchemaflowError);
    expect(rebuilt).toMatchObject({ name: 'TypeError', message: original.message, stack: original.stack });
    expect(across('a string thrown')).toMatchObject({ name: 'Error', message: 'a string thrown' });
  });
});
