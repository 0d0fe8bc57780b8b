import { createHash } from 'node:crypto';
import { canonicalize } from '../domain/canonical-json.js';

export { canonicalize };

/** SHA-256 of the canonical form, as `sha256:<hex>`. */
export function fingerprint(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalize(value), 'utf8').digest('hex')}`;
}
