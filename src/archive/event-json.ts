/*
 * A data row's `value` is the event written anew from what JSON.parse read (minified, one line,
 * duplicate keys resolved as the validator saw them), except for numbers: JSON.parse reads each
 * as a double, and a double written back can name another number than the producer sent
 * (`12345678901234567891` → `12345678901234567000`, `-0` → `0`, `1e400` → `null`). Such a number
 * keeps the producer's digits, so a 64-bit identifier reaches the lake, and DuckDB, as it was
 * sent.
 */

/** Digits, sign, point and exponent of a number token: at most 15 significant digits, no exponent, and it cannot be -0. */
const SHORT_NUMBER = 15;

/**
 * Text that may hold a number a double would change: a token (after `:`, `,`, `[`, a space or at
 * the start) of 15 or more digits and points, with an exponent, or `-0`. One native scan; it also
 * matches such text inside strings, which `inexactNumbers` then tells apart.
 */
const MAYBE_INEXACT = /(?:^|[\s,:[])(?:-?[\d.]{15,}|-?[\d.]+[eE]|-0(?:\.0*)?(?![\d.eE]))/;

/** The spans of number tokens (outside strings) whose double, written back, names another number; undefined when none (nearly every event). */
function inexactNumbers(text: string): Array<[number, number]> | undefined {
  if (!MAYBE_INEXACT.test(text)) return undefined;
  let spans: Array<[number, number]> | undefined;
  const length = text.length;
  for (let at = 0; at < length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 0x22) {
      at = closingQuote(text, at);
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      const start = at;
      while (at + 1 < length && isNumberChar(text.charCodeAt(at + 1))) at += 1;
      if (!exactAsDouble(text, start, at + 1)) (spans ??= []).push([start, at + 1]);
    }
  }
  return spans;
}

/** Where the string opened at `open` closes (JSON.parse has accepted the text, so it does); most of an event's text is strings, skipped here by indexOf. */
function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (escaped(text, quote)) quote = text.indexOf('"', quote + 1);
  return quote;
}

/** Whether the character at `at` follows an odd run of backslashes. */
function escaped(text: string, at: number): boolean {
  let before = at - 1;
  while (text.charCodeAt(before) === 0x5c) before -= 1;
  return (at - before) % 2 === 0;
}

const isNumberChar = (code: number): boolean => (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d;

function exactAsDouble(text: string, start: number, end: number): boolean {
  if (end - start <= SHORT_NUMBER && !hasExponent(text, start, end) && !negativeZero(text, start, end)) return true;
  const token = text.slice(start, end);
  const double = Number(token);
  return Number.isFinite(double) && decimal(token) === decimal(String(double));
}

function hasExponent(text: string, start: number, end: number): boolean {
  for (let at = start; at < end; at += 1) if ((text.charCodeAt(at) | 0x20) === 0x65) return true;
  return false;
}

/** `-0`, `-0.0`, `-0.00`: JavaScript writes them `0`. */
function negativeZero(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start) !== 0x2d) return false;
  for (let at = start + 1; at < end; at += 1) if (text.charCodeAt(at) !== 0x30 && text.charCodeAt(at) !== 0x2e) return false;
  return true;
}

/** A number token in one form per number it names: sign, significant digits, exponent (`-12.50e1` → `-125e0`). */
function decimal(token: string): string {
  const parts = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!parts) return token;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = parts;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (significant === '') return `${sign}0`;
  return `${sign}${significant}e${BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - significant.length)}`;
}

/** Consecutive `\u0000` escapes in the text, at most: no string JSON.parse read from it holds a longer run of U+0000. */
function longestNulRun(text: string): number {
  let longest = 0;
  for (let at = text.indexOf('\\u0000'); at !== -1; ) {
    let run = 0;
    while (text.startsWith('\\u0000', at + run * 6)) run += 1;
    longest = Math.max(longest, run);
    at = text.indexOf('\\u0000', at + run * 6);
  }
  return longest;
}

/**
 * The event's JSON for a data row: `JSON.stringify(value)`, with every number a double would
 * change written as in `text` (the JSON text `value` was parsed from).
 */
export function eventJson(value: unknown, text?: string): string {
  const spans = text === undefined ? undefined : inexactNumbers(text);
  if (!text || !spans) return JSON.stringify(value);
  // Each such number becomes a string no string of the event can equal (a run of U+0000 longer
  // than any it holds, then its index); JSON.parse and JSON.stringify then order keys and resolve
  // duplicates as they did for `value`, and the strings are replaced by the producer's digits.
  const marker = '\\u0000'.repeat(longestNulRun(text) + 1);
  let marked = '';
  let from = 0;
  spans.forEach(([start, end], index) => {
    marked += `${text.slice(from, start)}"${marker}#${index}"`;
    from = end;
  });
  marked += text.slice(from);
  const placeholder = new RegExp(`"${marker.replaceAll('\\', '\\\\')}#(\\d+)"`, 'g');
  return JSON.stringify(JSON.parse(marked)).replace(placeholder, (_, index: string) => {
    const [start, end] = spans[Number(index)] as [number, number];
    return text.slice(start, end);
  });
}
