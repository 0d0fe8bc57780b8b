import type { ParsedDocument } from '../catalog/documents.js';
import { findingAt } from '../catalog/finding-builder.js';
import type { Finding } from '../domain/finding.js';
import { bundleSchema } from '../manifest/bundle.js';
import type { ManifestSchemaCompiler } from '../manifest/registry.js';

/**
 * The check's safety net for what it cannot see in a version file alone: the version is bundled
 * with the files it references exactly as registration puts it in the manifest (bundleSchema,
 * as buildCatalogManifest calls it), and the bundle is compiled as the SDK and the flow compile
 * it (`compile`, from createManifestSchemaCompiler). A bundle that does not compile would make
 * every send() of the subject throw and the flow quarantine every record as INVALID, so it is
 * refused here, before it is registered. Call it only for a version that compiles on its own
 * with every file it references readable (`read` gives each parsed file).
 */
export function checkBundle(document: ParsedDocument, catalogPath: string, read: (catalogPath: string) => unknown, compile: ManifestSchemaCompiler): Finding[] {
  const referenced = new Set<string>();
  const bundle = bundleSchema(catalogPath, document.value, (path) => (referenced.add(path), read(path)));
  try {
    compile(bundle);
    return [];
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const files = [...referenced].sort();
    const inlined = files.length === 0 ? 'as the manifest will hold it' : `with ${files.join(', ')} inlined under $defs, as the manifest will hold it`;
    return [
      findingAt(
        document,
        'BUNDLE_INVALID',
        '',
        `${document.file} compiles on its own, but its bundled schema (the file ${inlined}) does not compile as producers and the flow compile it: ${detail}. Registered, every send() of this version would throw and the flow would quarantine its records as INVALID. Copy what this file uses from the files it references into its own $defs instead of referencing them, and report the case to the catalog's maintainers.`,
        { detail, references: files },
      ),
    ];
  }
}
