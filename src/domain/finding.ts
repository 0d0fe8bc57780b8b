import { compareText } from './text-order.js';

/**
 * A problem found in user input: data, never an exception (STYLE.md habit 1). A pull request
 * with five problems shows all five.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable UPPER_SNAKE rule code, e.g. `VERSION_MODIFIED`. */
  readonly code: string;
  readonly severity: Severity;
  /** Repository-relative path, e.g. `catalog/apps/users/2.json`. */
  readonly file: string;
  /** 1-based line and column of the offending value; 1:1 when the whole file is meant. */
  readonly line: number;
  readonly col: number;
  /** RFC 6901 pointer into the file ('' = the whole document). */
  readonly pointer: string;
  /** A full sentence: what, where, expected vs actual, and how to fix it. */
  readonly message: string;
  /** Structured details for machines (values, limits, names). */
  readonly params: Readonly<Record<string, unknown>>;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Most severe first, then by file, line and code: the order every report uses. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    RANK[a.severity] - RANK[b.severity] ||
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.col - b.col ||
    compareText(a.code, b.code)
  );
}

/** RFC 6901: a pointer from reference tokens. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** RFC 6901: reference tokens of a pointer (`''` → `[]`); undefined when malformed. */
export function fromPointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * RFC 3986 percent-decoding of one part of a `$ref` (its path or its fragment); undefined when
 * an escape is malformed (`%`, `%zz`, `%E0%A4%A`, an encoded lone surrogate). The text comes
 * from pull requests, and decodeURIComponent throws a URIError on those, which would end the
 * whole check instead of giving one finding.
 */
export function decodeRefPart(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A finding as one line of text, `file:line:col  severity  CODE  message`: a line feed in a file
 * name or quoted value is written `\u000a`, so text from a pull request can never start a line
 * of its own in a log (a `::error` or `::add-mask::` workflow command a runner would obey).
 */
export function findingLine(finding: Finding, options: { severity?: boolean } = {}): string {
  const line = `${finding.file}:${finding.line}:${finding.col}  ${options.severity === false ? '' : `${finding.severity}  `}${finding.code}  ${finding.message}`;
  return line.replace(/\n/g, '\\u000a');
}
