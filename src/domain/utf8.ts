/**
 * One strict UTF-8 decoder for the whole program: constructing a TextDecoder costs more than
 * decoding a small record with it, and the flow decodes every record. Without `stream`, each
 * `decode` call stands alone, so the shared instance carries no state between calls.
 */
const strict = new TextDecoder('utf-8', { fatal: true });
const exact = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes; throws a TypeError on bytes that are not UTF-8. A BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array): string {
  return strict.decode(bytes);
}

/**
 * `decodeUtf8` that keeps a leading BOM as U+FEFF: for text written out as the bytes it came
 * from (a quarantined record's raw value, a header value), where dropping it would lose a byte.
 */
export function decodeUtf8Exact(bytes: Uint8Array): string {
  return exact.decode(bytes);
}
