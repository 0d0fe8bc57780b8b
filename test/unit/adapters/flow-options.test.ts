import { describe, expect, it } from 'vitest';
import { flowOptionsFrom, parseWorkers } from '../../../src/adapters/flow-ports.js';

describe('the flow options from CLI flags or action inputs', () => {
  it('take their defaults only when an option is not given', () => {
    expect(flowOptionsFrom({ dryRun: false }, '--')).toMatchObject({ subjects: [], shard: null, maxDurationMs: 900_000, flushBytes: 16_777_216, maxRecordBytes: 1_048_576, latenessMs: 900_000 });
    expect(parseWorkers(undefined, '--workers')).toBe(1);
  });

  it.each([
    [{ shard: '' }, '--shard must be i/n'],
    [{ subjects: '' }, '--subjects names no subject'],
    [{ subjects: ' , ' }, '--subjects names no subject'],
    [{ maxDuration: '' }, '--max-duration must be a duration'],
    [{ flushBytes: '' }, '--flush-bytes must be a positive size'],
    [{ maxRecordBytes: '' }, '--max-record-bytes must be a positive size'],
    [{ allowedLateness: '' }, '--allowed-lateness must be a duration'],
  ])('refuse an empty value given for %j (an empty action input is unset before it gets here)', (raw, message) => {
    expect(() => flowOptionsFrom({ ...raw, dryRun: false }, '--')).toThrow(message);
  });

  it('refuse an empty thread count', () => {
    expect(() => parseWorkers('', '--workers')).toThrow('--workers must be a number of threads from 1 to 32');
  });
});
