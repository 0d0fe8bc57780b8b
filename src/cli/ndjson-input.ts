/** A line of the input: its bytes, or only its length when it is longer than the most kept. */
export type InputLine = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly length: number };

/**
 * The lines of an input as bytes, split at `\n` with a `\r` before it dropped (CRLF files), so
 * each line is decoded on its own: readline decodes the whole stream as UTF-8 and replaces every
 * byte that is not UTF-8 with U+FFFD, which would send "René" saved as Latin-1 as "Ren\uFFFD".
 * Only `\n` ends a line, as for `wc -l` and `tail -n +N`, so line numbers agree with them. A line
 * longer than `maxLineBytes` is counted, not kept: a file of one JSON array, or with no line
 * breaks at all, would otherwise be held whole in memory (and past V8's largest string, 512 MiB,
 * fail to decode at all).
 */
export async function* readLines(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<InputLine> {
  let pending: Buffer[] = [];
  let length = 0;
  const line = (): InputLine => {
    if (length > maxLineBytes) return { ok: false, length };
    const bytes = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
    return { ok: true, bytes: bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes };
  };
  const keep = (part: Buffer): void => {
    length += part.length;
    // Past the limit only the count goes on.
    if (length <= maxLineBytes) pending.push(part);
    else pending = [];
  };
  for await (const read of input) {
    const chunk = typeof read === 'string' ? Buffer.from(read, 'utf8') : read;
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      keep(chunk.subarray(start, end));
      yield line();
      pending = [];
      length = 0;
      start = end + 1;
    }
    if (start < chunk.length) keep(chunk.subarray(start));
  }
  // The last line may have no `\n`.
  if (length > 0) yield line();
}
