/**
 * The lines of an input as bytes, split at `\n` with a `\r` before it dropped (CRLF files), so
 * each line is decoded on its own: readline decodes the whole stream as UTF-8 and replaces every
 * byte that is not UTF-8 with U+FFFD, which would send "René" saved as Latin-1 as "Ren\uFFFD".
 * Only `\n` ends a line, as for `wc -l` and `tail -n +N`, so line numbers agree with them.
 */
export async function* readLines(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const read of input) {
    const chunk = typeof read === 'string' ? Buffer.from(read, 'utf8') : read;
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, end));
      yield withoutCarriageReturn(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending));
      pending = [];
      start = end + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  // The last line may have no `\n`.
  if (pending.length > 0) yield withoutCarriageReturn(Buffer.concat(pending));
}

const withoutCarriageReturn = (line: Buffer): Buffer => (line.at(-1) === 0x0d ? line.subarray(0, -1) : line);
