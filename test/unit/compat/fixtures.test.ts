import { readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checkCompatibility, type VersionInput } from '../../../src/compat/engine.js';

/**
 * The data-driven compatibility cases (test/fixtures/compat/*.json): each has the expected
 * verdict for BACKWARD and FORWARD under [STRICT, DEFAULT]. Every STRICT ✘ cell carries a
 * witness — valid under the writer, invalid under the reader — that ajv confirms here,
 * independently of the engine; every STRICT ✔ cell carries probe values that must stay valid.
 */
type Verdict = boolean | 'undecided';
interface Case {
  name: string;
  old: unknown;
  new: unknown;
  backward: [Verdict, Verdict];
  forward: [Verdict, Verdict];
  witness?: { backward?: unknown; forward?: unknown };
  probes?: unknown[];
}

const DIRECTORY = new URL('../../fixtures/compat/', import.meta.url);
const cases: Array<Case & { file: string }> = readdirSync(DIRECTORY)
  .filter((file) => file.endsWith('.json'))
  .flatMap((file) => (JSON.parse(readFileSync(new URL(file, DIRECTORY), 'utf8')) as Case[]).map((entry) => ({ ...entry, file })));

function compile(schema: unknown): (value: unknown) => boolean {
  const draft07 = typeof schema === 'object' && schema !== null && String((schema as { $schema?: string }).$schema ?? '').includes('draft-07');
  const ajv = draft07 ? new Ajv({ strict: false }) : new Ajv2020({ strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema as object);
  return (value) => validate(value) === true;
}

const version = (name: string, root: unknown): VersionInput => ({ name, file: `${name}.json`, document: { label: name, root, locate: () => ({ line: 1, col: 1 }) } });

const expected = (verdict: Verdict): string => (verdict === 'undecided' ? 'undecided' : verdict ? 'compatible' : 'incompatible');

describe('compatibility fixtures', () => {
  it('has at least 150 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  describe.each(cases)('$file: $name', (testCase) => {
    const validOld = compile(testCase.old);
    const validNew = compile(testCase.new);
    for (const direction of ['backward', 'forward'] as const) {
      const [writerValid, readerValid] = direction === 'backward' ? [validOld, validNew] : [validNew, validOld];
      const [strict, lenient] = testCase[direction];
      it.each([
        ['STRICT', strict],
        ['DEFAULT', lenient],
      ] as const)(`${direction.toUpperCase()} %s`, (policy, verdict) => {
        const result = checkCompatibility(version('new', testCase.new), [version('old', testCase.old)], { mode: direction === 'backward' ? 'BACKWARD' : 'FORWARD', policy });
        expect(result.verdict, result.findings.map((finding) => finding.message).join('\n')).toBe(expected(verdict));
        for (const finding of result.findings) {
          if (!('example' in finding.params)) continue;
          expect(writerValid(finding.params.example), `example of ${finding.code} must be valid under the writer`).toBe(true);
          expect(readerValid(finding.params.example), `example of ${finding.code} must be invalid under the reader`).toBe(false);
        }
      });
      if (strict === false) {
        it(`${direction.toUpperCase()} witness: valid under the writer, invalid under the reader`, () => {
          const witness = testCase.witness?.[direction];
          expect(witness, 'a ✘ cell needs a witness').not.toBeUndefined();
          expect(writerValid(witness)).toBe(true);
          expect(readerValid(witness)).toBe(false);
        });
      } else if (strict === true) {
        it(`${direction.toUpperCase()} probes stay valid`, () => {
          const writerSchema = direction === 'backward' ? testCase.old : testCase.new;
          if (writerSchema === false || (Array.isArray(testCase.probes) && testCase.probes.length === 0)) {
            // Vacuously compatible: the writer accepts nothing at all.
            for (const sample of [null, 1, 'x', {}, []]) expect(writerValid(sample)).toBe(false);
            return;
          }
          const probes = (testCase.probes ?? []).filter((probe) => writerValid(probe));
          expect(probes.length, 'a ✔ cell needs at least one probe valid under the writer').toBeGreaterThan(0);
          for (const probe of probes) expect(readerValid(probe), JSON.stringify(probe)).toBe(true);
        });
      }
    }
  });
});
