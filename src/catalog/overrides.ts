import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Finding } from '../domain/finding.js';
import type { ParsedDocument } from './documents.js';
import { findingAt } from './finding-builder.js';
import overridesSchema from './schemas/overrides.schema.json' with { type: 'json' };

/** One reviewed exception from overrides.yaml. */
export interface Override {
  readonly subject: string;
  readonly version: number;
  readonly rule: string;
  readonly pointer?: string;
  readonly reason: string;
}

let validator: ValidateFunction | undefined;

/** Reads overrides.yaml: the list, or findings when it does not match its schema. */
export function readOverrides(document: ParsedDocument): { overrides: Override[]; findings: Finding[] } {
  validator ??= new Ajv2020({ strict: true, allErrors: true }).compile(overridesSchema);
  if (!validator(document.value)) {
    return {
      overrides: [],
      findings: (validator.errors ?? []).map((error) => findingAt(document, 'OVERRIDES_INVALID', error.instancePath, `${document.file} ${error.instancePath || '(top level)'}: ${error.message ?? 'invalid'} (see overrides.schema.json).`)),
    };
  }
  return { overrides: (document.value as { overrides: Override[] }).overrides, findings: [] };
}

/**
 * Lets reviewed exceptions through: a matching finding (subject and version from its file,
 * rule = code, pointer = its pointer, either schema pointer or data path) becomes `info`, with
 * the reason in its message, so every honoured override is printed. Only `overridable` codes.
 */
export function applyOverrides(findings: readonly Finding[], overrides: readonly Override[], catalogDir: string, overridable: (code: string) => boolean): Finding[] {
  return findings.map((finding) => {
    if (finding.severity !== 'error' || !overridable(finding.code)) return finding;
    const match = /^(?:.*\/)?([^/]+)\/([^/]+)\/(\d+)\.json$/.exec(finding.file.startsWith(`${catalogDir}/`) ? finding.file : '');
    if (!match) return finding;
    const subject = `${match[1] ?? ''}-${match[2] ?? ''}`;
    const version = Number(match[3]);
    const override = overrides.find(
      (entry) =>
        entry.subject === subject &&
        entry.version === version &&
        entry.rule === finding.code &&
        (entry.pointer === undefined || [finding.pointer, finding.params.newPointer, finding.params.oldPointer, finding.params.dataPath].includes(entry.pointer)),
    );
    if (!override) return finding;
    return { ...finding, severity: 'info' as const, message: `${finding.message} Overridden by overrides.yaml: ${override.reason}`, params: { ...finding.params, override: { reason: override.reason } } };
  });
}
