import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/cli/ndjson-input.js';

const linesOf = async (chunks: ReadonlyArray<Buffer | string>, maxLineBytes = 1_000): Promise<string[]> => {
  const lines: string[] = [];
  for await (const line of readLines(chunks.values(), maxLineBytes)) lines.push(line.ok ? line.bytes.toString('latin1') : `(${line.length} bytes)`);
  return lines;
};

/** `schemaflow produce` reads its input as bytes, line by line (see the sdk integration test for why). */
describe('readLines', () => {
  it('splits at \\n wherever the chunks break, drops the \\r of CRLF, and keeps a last line without \\n', async () => {
    expect(await linesOf([Buffer.from('{"a":1}\r'), Buffer.from('\n{"b"'), Buffer.from(':2}\n\n{"c":3}')])).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
  });

  it('keeps bytes that are not UTF-8 as they are, a multi-byte character split between chunks whole, and a lone \\r inside a line', async () => {
    const e9 = Buffer.from([0x52, 0x65, 0x6e, 0xe9]);
    const euro = Buffer.from('€', 'utf8');
    expect(await linesOf([e9, Buffer.from('\n'), euro.subarray(0, 1), euro.subarray(1), Buffer.from('a\rb\n')])).toEqual([e9.toString('latin1'), `${euro.toString('latin1')}a\rb`]);
  });

  it('yields nothing for an empty input, and one empty line for a lone \\n', async () => {
    expect(await linesOf([])).toEqual([]);
    expect(await linesOf(['\n'])).toEqual(['']);
  });

  it('counts a line longer than the limit without keeping it, wherever the chunks break', async () => {
    expect(await linesOf(['{"a":1}\n', '01234567', '789', '\n{"b":2}\n', 'x'.repeat(12)], 10)).toEqual(['{"a":1}', '(11 bytes)', '{"b":2}', '(12 bytes)']);
    expect(await linesOf(['0123456789A\r\n'], 10)).toEqual(['(12 bytes)']);
    expect(await linesOf(['0123456789\n'], 10)).toEqual(['0123456789']);
  });
});
