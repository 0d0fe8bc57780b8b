import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CATALOG_URI, VOCABULARY, dialectOf } from '../catalog/schema-compiler.js';
import { isSchemaObject } from '../catalog/schema-walk.js';
import type { SchemaDocument, SchemaNode } from './model.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Exact membership: is a value valid under a subschema, as ajv (formats asserted) decides? Each
 * document is added once under its own URI and subschemas are compiled as `$ref`s into it, so
 * local references inside them resolve. Used to find and verify example values.
 */
export interface NodeValidators {
  valid(node: SchemaNode, value: unknown): boolean;
  /**
   * Registers a document that others reference (cross-file `$ref`), before any validation that
   * may reach it: its label must be its catalog path for relative references to resolve.
   */
  addDocument(document: SchemaDocument): void;
}

export function createNodeValidators(): NodeValidators {
  const instances = new Map<string, Ajv>();
  const uris = new Map<SchemaDocument, string>();
  const compiled = new Map<string, ValidateFunction | null>();
  const syntheticCompiled = new WeakMap<object, ValidateFunction | null>();
  let counter = 0;

  const ajvFor = (document: SchemaDocument): Ajv => {
    const dialect = isSchemaObject(document.root) ? dialectOf(document.root) : { ok: true as const, dialect: '2020-12' as const };
    const name = dialect.ok ? dialect.dialect : '2020-12';
    let ajv = instances.get(name);
    if (!ajv) {
      const options = { strict: false, allowUnionTypes: true, validateFormats: true } as const;
      ajv = name === '2020-12' ? new Ajv2020(options) : new Ajv(options);
      addFormats(ajv);
      for (const keyword of VOCABULARY) ajv.addKeyword({ keyword, schemaType: 'boolean' });
      instances.set(name, ajv);
    }
    return ajv;
  };

  const taken = new Set<string>();
  // A document's URI is the catalog base plus its label (its catalog path), so relative
  // references between version files resolve to each other; a clash gets a unique prefix.
  const uriOf = (document: SchemaDocument): string => {
    let uri = uris.get(document);
    if (!uri) {
      const path = document.label.replace(/[^A-Za-z0-9._/-]/g, '_').replace(/^\/+/, '');
      uri = `${CATALOG_URI}${path}`;
      while (taken.has(uri)) {
        counter += 1;
        uri = `${CATALOG_URI}${counter}/${path}`;
      }
      register(document, uri);
    }
    return uri;
  };

  const register = (document: SchemaDocument, uri: string): void => {
    uris.set(document, uri);
    taken.add(uri);
    const root = document.root;
    const schema = isSchemaObject(root) ? Object.fromEntries(Object.entries(root).filter(([key]) => key !== '$id' && key !== '$schema')) : root;
    ajvFor(document).addSchema(schema as object, uri);
  };

  return {
    addDocument(document) {
      uriOf(document);
    },
    valid(node, value) {
      if (node.schema === true) return true;
      if (node.schema === false) return false;
      const uri = uriOf(node.document);
      if (node.synthetic) {
        // Built by the engine: compiled on its own, next to its document so relative and
        // local references still resolve ($defs copied in).
        let validate = syntheticCompiled.get(node.schema);
        if (validate === undefined) {
          const root = isSchemaObject(node.document.root) ? node.document.root : {};
          counter += 1;
          const schema = { ...node.schema, $id: `${uri}.synthetic-${counter}`, ...(root.$defs ? { $defs: root.$defs } : {}), ...(root.definitions ? { definitions: root.definitions } : {}) };
          delete (schema as Record<string, unknown>).$schema;
          try {
            validate = ajvFor(node.document).compile(schema);
          } catch {
            validate = null;
          }
          syntheticCompiled.set(node.schema, validate);
        }
        return validate ? validate(value) === true : false;
      }
      const key = `${uri}#${node.pointer}`;
      let validate = compiled.get(key);
      if (validate === undefined) {
        // The pointer is already RFC 6901-escaped (~0, ~1); the fragment also needs RFC 3986 escaping.
        const fragment = node.pointer.split('/').map((token) => encodeURIComponent(token)).join('/');
        try {
          validate = ajvFor(node.document).compile({ $ref: `${uri}#${fragment}` });
        } catch {
          validate = null;
        }
        compiled.set(key, validate);
      }
      return validate ? validate(value) === true : false;
    },
  };
}
