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

  it('keep the code of any other error (a system error’s ECONNREFUSED, a Kafka protocol error’s number)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED', errno: -111 });
    expect(across(refused)).toMatchObject({ name: 'Error', message: refused.message, code: 'ECONNREFUSED' });
    const protocol = Object.assign(new Error('Not authorized to access group'), { name: 'KafkaJSProtocolError', code: 30 });
    expect(across(protocol)).toMatchObject({ name: 'KafkaJSProtocolError', code: 30 });
    // Within a SchemaflowError's causes too.
    const wrapped = across(new SchemaflowError('KAFKA_FAILED', 'cannot connect', { cause: refused }));
    expect((wrapped.cause as { code?: unknown }).code).toBe('ECONNREFUSED');
    expect(across(new Error('no code'))).not.toHaveProperty('code');
  });

  it('keep an AggregateError one, with its members and their codes and causes (Node’s connect fails with one per address)', () => {
    const member = (address: string): Error => Object.assign(new Error(`connect ECONNREFUSED ${address}`, { cause: new Error(`${address} refused`) }), { code: 'ECONNREFUSED' });
    const aggregate = Object.assign(new AggregateError([member('::1:9092'), member('127.0.0.1:9092')], ''), { code: 'ECONNREFUSED' });
    const rebuilt = across(new SchemaflowError('KAFKA_FAILED', 'reading records failed', { retriable: true, cause: aggregate }));
    const cause = rebuilt.cause;
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause).toMatchObject({ name: 'AggregateError', code: 'ECONNREFUSED', stack: aggregate.stack });
    const members = (cause as AggregateError).errors as Error[];
    expect(members.map((error) => [error.message, (error as { code?: unknown }).code, (error.cause as Error).message])).toEqual([
      ['connect ECONNREFUSED ::1:9092', 'ECONNREFUSED', '::1:9092 refused'],
      ['connect ECONNREFUSED 127.0.0.1:9092', 'ECONNREFUSED', '127.0.0.1:9092 refused'],
    ]);
  });
});
