import type { ParsedDocument } from '../catalog/documents.js';
import type { SchemaDocument } from './model.js';

/** A parsed version file as the engine sees it. */
export function schemaDocumentOf(document: ParsedDocument, label = document.file): SchemaDocument {
  return { label, root: document.value, locate: (pointer) => document.locate(pointer) };
}
