import { describe, expect, it } from 'vitest';
import { rebaseRefs } from '../../../src/catalog/refs.js';

describe('rebaseRefs', () => {
  it('makes a subschema of one version file mean the same from another', () => {
    const schema = {
      properties: {
        own: { $ref: '#/$defs/Natural' },
        other: { $ref: '../../payments/transactions/1.json#/$defs/Money' },
        back: { $ref: '../../apps/users/2.json#/$defs/Id' },
        whole: { $ref: '#' },
        remote: { $ref: 'https://example.com/x.json' },
        data: { const: { $ref: '#/$defs/Natural' } },
      },
    };
    expect(rebaseRefs(schema, 'apps/money/1.json', 'apps/users/2.json')).toEqual({
      properties: {
        own: { $ref: '../money/1.json#/$defs/Natural' },
        other: { $ref: '../../payments/transactions/1.json#/$defs/Money' },
        back: { $ref: '#/$defs/Id' },
        whole: { $ref: '../money/1.json#' },
        remote: { $ref: 'https://example.com/x.json' },
        data: { const: { $ref: '#/$defs/Natural' } },
      },
    });
  });
});
