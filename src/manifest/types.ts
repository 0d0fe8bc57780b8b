import type { CompatibilityMode, CompatibilityPolicy, TopicSettings } from '../catalog/config-files.js';

/** The manifest format this version writes; readers accept any 1.x and ignore unknown fields. */
export const MANIFEST_FORMAT = '1.0';

export interface ManifestVersion {
  readonly version: number;
  /** Immutable, never reused, the same in every environment. */
  readonly id: number;
  /** `sha256:` of the RFC 8785 form of `schema`. */
  readonly fingerprint: string;
  /** The version file, relative to the repository root. */
  readonly path: string;
  /** The first-parent commit that registered it. */
  readonly registeredIn: string;
  /** The bundled schema: cross-file references inlined. */
  readonly schema: unknown;
}

export interface ManifestSubject {
  readonly subject: string;
  readonly team: string;
  readonly name: string;
  readonly topic: string;
  readonly description: string;
  readonly owners: readonly string[];
  readonly status: 'active' | 'deprecated' | 'retired';
  readonly compatibility: { readonly mode: CompatibilityMode; readonly policy: CompatibilityPolicy };
  readonly topicConfig: TopicSettings;
  readonly eventTime: { readonly field: string; readonly format: 'rfc3339' | 'epoch-millis' } | null;
  /** JSON pointers of personal fields: subject.yaml `pii` plus properties marked `x-pii: true`. */
  readonly pii: readonly string[];
  /** Where the subject's history is, relative to the lake root. */
  readonly lakePath: string;
  readonly versions: readonly ManifestVersion[];
}

export interface Manifest {
  readonly format: string;
  /** Monotonic along the default branch: the number of first-parent commits that changed the catalog. */
  readonly serial: number;
  readonly sourceCommit: string;
  readonly environment: string;
  readonly subjects: readonly ManifestSubject[];
}
