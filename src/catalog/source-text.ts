/**
 * Where things are in a text file: offsets to 1-based line and column.
 */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Maps offsets of a text to line/column, built once per file. */
export function createLineIndex(text: string): (offset: number) => Position {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, col: offset - (starts[low] ?? 0) + 1 };
  };
}

/**
 * The deepest nesting of `{`/`[` outside strings, and where it first passes `limit`. Runs on the
 * raw text before any parser, so a 10,000-deep document cannot exhaust the parser's stack.
 */
export function scanNesting(text: string, limit: number): { depth: number; offset: number } | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === '\\' && quote === '"') index += 1;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"') quote = '"';
    else if (char === '{' || char === '[') {
      depth += 1;
      if (depth > limit) return { depth, offset: index };
    } else if (char === '}' || char === ']') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** Decodes UTF-8 strictly; on failure, the offset of the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array): { ok: true; text: string } | { ok: false; byteOffset: number } {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    // Find the first byte sequence that is not valid UTF-8 (RFC 3629 table 3-7, simplified).
    for (let index = 0; index < bytes.length; ) {
      const byte = bytes[index] ?? 0;
      const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
      if (length === 0) return { ok: false, byteOffset: index };
      for (let next = 1; next < length; next += 1) {
        if (((bytes[index + next] ?? 0) & 0xc0) !== 0x80) return { ok: false, byteOffset: index };
      }
      index += length;
    }
    return { ok: false, byteOffset: 0 };
  }
}
