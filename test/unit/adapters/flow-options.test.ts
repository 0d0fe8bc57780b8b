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

  it('repair markers only in flow close', () => {
    expect(flowOptionsFrom({ dryRun: false, closeOnly: true, repairMarkers: true }, '--')).toMatchObject({ closeOnly: true, repairMarkers: true });
    expect(flowOptionsFrom({ dryRun: false, repairMarkers: true }, '--').repairMarkers).toBeUndefined();
  });

  it('refuse an empty thread count', () => {
    expect(() => parseWorkers('', '--workers')).toThrow('--workers must be a number of threads from 1 to 32');
  });
});

describe('--max-duration', () => {
  it.each([
    ['0s', '--max-duration must be longer than 0, not "0s": a run that may read for no time reads nothing'],
    ['0ms', '--max-duration must be longer than 0'],
    ['30d', '--max-duration must be at most 24d (2147483647 ms, the longest timer Node.js keeps: a longer one fires at once and ends the read before it starts), not "30d"'],
    ['2147483648ms', '--max-duration must be at most 24d'],
    ['99999999999999999999h', '--max-duration must be at most 24d'],
  ])('refuses %s, naming the bound', (text, message) => {
    expect(() => flowOptionsFrom({ maxDuration: text, dryRun: false }, '--')).toThrow(message);
  });

  it.each([['1ms', 1], ['24d', 2_073_600_000], ['2147483647ms', 2_147_483_647]])('accepts %s', (text, ms) => {
    expect(flowOptionsFrom({ maxDuration: text, dryRun: false }, '--').maxDurationMs).toBe(ms);
  });
});
