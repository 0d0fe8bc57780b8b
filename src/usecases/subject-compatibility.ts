import { posix } from 'node:path';
import type { CompatibilityMode, CompatibilityPolicy } from '../catalog/config-files.js';
import { collectRefs } from '../catalog/refs.js';
import type { createVersionReader } from '../catalog/versions.js';
import { schemaDocumentOf } from '../compat/documents.js';
import { checkCompatibility, type VersionInput } from '../compat/engine.js';
import type { SchemaDocument, SchemaNode } from '../compat/model.js';
import type { NodeValidators } from '../compat/validators.js';
import type { Finding } from '../domain/finding.js';
import { isSchemaObject } from '../catalog/schema-walk.js';

export interface SubjectCompatibilityInput {
  /** `<team>/<name>` relative to the catalog directory. */
  readonly subjectPath: string;
  readonly catalogDir: string;
  /** Every version at head (registered and new), by number. */
  readonly versions: readonly number[];
  /** The new versions that are sound enough to compare (parsed, compiled). */
  readonly candidates: readonly number[];
  readonly compatibility: { readonly mode: CompatibilityMode; readonly policy: CompatibilityPolicy };
  readonly readVersion: ReturnType<typeof createVersionReader>;
  readonly validators: NodeValidators;
}

/**
 * Compatibility of each new version against the earlier ones (registered and new in this
 * change), by the subject's mode and policy from the base branch. Cross-file references are
 * resolved inside the catalog and registered with the validators before anything is compared.
 */
export function subjectCompatibility(input: SubjectCompatibilityInput): Finding[] {
  const documents = new Map<string, SchemaDocument | undefined>();
  const documentFor = (catalogPath: string): SchemaDocument | undefined => {
    if (documents.has(catalogPath)) return documents.get(catalogPath);
    const loaded = input.readVersion(catalogPath);
    const document = loaded?.ok ? schemaDocumentOf(loaded.document, catalogPath) : undefined;
    documents.set(catalogPath, document);
    if (document) {
      input.validators.addDocument(document);
      for (const ref of collectRefs(document.root, catalogPath)) if (ref.kind === 'file') documentFor(ref.target);
    }
    return document;
  };
  const resolve = (from: SchemaNode, ref: string): SchemaNode | undefined => {
    const [path = '', fragment = ''] = ref.split('#');
    const target = documentFor(posix.normalize(posix.join(posix.dirname(from.document.label), decodeURIComponent(path))));
    if (!target) return undefined;
    let value: unknown = target.root;
    const pointer = decodeURIComponent(fragment);
    for (const token of pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      value = isSchemaObject(value) ? value[token] : undefined;
    }
    if (typeof value !== 'boolean' && !isSchemaObject(value)) return undefined;
    return { document: target, pointer, schema: value };
  };
  const versionInput = (version: number): VersionInput | undefined => {
    const catalogPath = `${input.subjectPath}/${version}.json`;
    const document = documentFor(catalogPath);
    return document ? { name: `version ${version}`, file: `${input.catalogDir}/${catalogPath}`, document } : undefined;
  };

  const findings: Finding[] = [];
  for (const version of [...input.candidates].sort((a, b) => a - b)) {
    const next = versionInput(version);
    const earlier = input.versions.filter((candidate) => candidate < version).sort((a, b) => a - b).map(versionInput);
    if (!next || earlier.some((entry) => entry === undefined)) continue;
    const result = checkCompatibility(next, earlier as VersionInput[], { ...input.compatibility, resolve, validators: input.validators });
    findings.push(...result.findings);
  }
  return findings;
}
