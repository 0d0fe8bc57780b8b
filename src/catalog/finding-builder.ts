import type { Finding } from '../domain/finding.js';
import type { ParsedDocument } from './documents.js';
import { RULES, type RuleCode } from './rules.js';

/** A finding with the rule's default severity, positioned at `pointer` in a parsed document. */
export function findingAt(document: ParsedDocument, code: RuleCode, pointer: string, message: string, params: Record<string, unknown> = {}): Finding {
  const { line, col } = document.locate(pointer);
  return { code, severity: RULES[code].severity, file: document.file, line, col, pointer, message, params };
}

/** A finding about a whole file (or a path that has no content to point into). */
export function findingOnFile(file: string, code: RuleCode, message: string, params: Record<string, unknown> = {}): Finding {
  return { code, severity: RULES[code].severity, file, line: 1, col: 1, pointer: '', message, params };
}
