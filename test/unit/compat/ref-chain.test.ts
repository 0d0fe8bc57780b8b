import { describe, expect, it } from 'vitest';
import { followRefChain, MAX_REF_HOPS, type SchemaNode } from '../../../src/compat/model.js';

/** A root that is a chain of `references` references, d1 → d2 → … ending at a string schema. */
function chain(references: number): SchemaNode {
  const $defs: Record<string, unknown> = {};
  for (let index = 1; index < references; index += 1) $defs[`d${index}`] = { $ref: `#/$defs/d${index + 1}` };
  $defs[`d${references}`] = { type: 'string' };
  const root = { $ref: '#/$defs/d1', $defs };
  return { document: { label: 'chain.json', root, locate: () => ({ line: 1, col: 1 }) }, pointer: '', schema: root };
}

describe('following a chain of references', () => {
  it(`follows up to ${MAX_REF_HOPS} references to the schema they end at`, () => {
    expect(followRefChain(chain(MAX_REF_HOPS), undefined, { bare: true })).toMatchObject({ end: 'schema', node: { pointer: `/$defs/d${MAX_REF_HOPS}`, schema: { type: 'string' } } });
    expect(followRefChain(chain(1), undefined, { bare: false })).toMatchObject({ end: 'schema', node: { pointer: '/$defs/d1' } });
  });

  // Regression: a chain of exactly 32 references was called "more than 32".
  it('stops after that many, at the reference it did not follow', () => {
    expect(followRefChain(chain(MAX_REF_HOPS + 1), undefined, { bare: true })).toMatchObject({ end: 'too-long', node: { pointer: `/$defs/d${MAX_REF_HOPS}` } });
  });

  it('stops at a reference with sibling keywords only when bare, and at one it cannot resolve', () => {
    const root = { $ref: '#/$defs/a', minLength: 1, $defs: { a: { $ref: '#/$defs/missing' } } };
    const node: SchemaNode = { document: { label: 'x.json', root, locate: () => ({ line: 1, col: 1 }) }, pointer: '', schema: root };
    expect(followRefChain(node, undefined, { bare: true })).toMatchObject({ end: 'siblings', node: { pointer: '' } });
    expect(followRefChain(node, undefined, { bare: false })).toMatchObject({ end: 'unresolved', node: { pointer: '/$defs/a' } });
  });
});
