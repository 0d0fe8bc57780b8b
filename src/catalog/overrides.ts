import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { closestNames } from '../domain/closest-names.js';
import type { Finding } from '../domain/finding.js';
import type { ParsedDocument } from './documents.js';
import { findingAt } from './finding-builder.js';
import { RULES } from './rules.js';
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

/** What an override may name: the catalog it is checked in, and the codes an override can let through. */
export interface OverrideTargets {
  /** The highest version of a subject in the catalog, or undefined when there is no such subject. */
  latestVersion(subject: string): number | undefined;
  /** Every subject of the catalog, for suggestions (called only when one is unknown). */
  subjects(): readonly string[];
  /** The finding codes an override can let through. */
  readonly rules: readonly string[];
}

/**
 * Overrides that can never match a finding, one error each: a rule that is not an overridable
 * code (with the closest codes), a pointer that is no JSON Pointer, a subject that is not in the
 * catalog (with the closest subjects), or a version past the next one. An override is merged before the pull request
 * that adds its version, so the next version (latest + 1) is a valid target.
 */
export function checkOverrideTargets(document: ParsedDocument, overrides: readonly Override[], targets: OverrideTargets): Finding[] {
  const findings: Finding[] = [];
  const didYouMean = (names: readonly string[], given: string): string => {
    const [closest] = closestNames(names, given, 1);
    return closest === undefined ? '' : ` Did you mean ${closest}?`;
  };
  overrides.forEach((override, index) => {
    const at = `/overrides/${index}`;
    const where = `${document.file} overrides[${index}]`;
    if (!targets.rules.includes(override.rule)) {
      const message = override.rule in RULES
        ? `${where} names rule ${override.rule}, a catalog rule that no override can let through: only compatibility findings (the codes in the README's Compatibility table) can be overridden. Remove this override and fix what ${override.rule} reports instead.`
        : `${where} names rule ${override.rule}, which is not a compatibility finding code, so it would never match.${didYouMean(targets.rules, override.rule)} The codes are listed in the README (Compatibility).`;
      findings.push(findingAt(document, 'OVERRIDE_UNKNOWN_RULE', `${at}/rule`, message, { rule: override.rule }));
    }
    // A finding's pointer is RFC 6901 ('' or /…): anything else (a URI fragment, a bare name) is compared and never equal.
    if (override.pointer !== undefined && override.pointer !== '' && !override.pointer.startsWith('/')) {
      const bare = override.pointer.replace(/^#/, '');
      findings.push(
        findingAt(document, 'OVERRIDE_POINTER_INVALID', `${at}/pointer`, `${where} has pointer ${JSON.stringify(override.pointer)}, which is no JSON Pointer (RFC 6901: empty, or starting with /), so it would never match. Write ${bare.startsWith('/') ? bare : `/${bare}`}: the schema pointer or data path a finding names.`, { pointer: override.pointer }),
      );
    }
    const latest = targets.latestVersion(override.subject);
    if (latest === undefined) {
      findings.push(findingAt(document, 'OVERRIDE_UNKNOWN_SUBJECT', `${at}/subject`, `${where} names subject ${override.subject}, which is not in the catalog, so it would never match.${didYouMean(targets.subjects(), override.subject)} Subjects are <team>-<name>, from catalog/<team>/<name>/.`, { subject: override.subject }));
    } else if (override.version > latest + 1) {
      findings.push(findingAt(document, 'OVERRIDE_UNKNOWN_VERSION', `${at}/version`, `${where} names version ${override.version} of ${override.subject}, which has versions 1 to ${latest}; an override is for an existing version or the next one (${latest + 1}). Correct the number, or add this override once version ${override.version - 1} is merged.`, { subject: override.subject, version: override.version, latest }));
    }
  });
  return findings;
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
