import { posix } from 'node:path';
import { isSchemaObject, mapSubschemas } from '../catalog/schema-walk.js';
import { decodeRefPart } from '../domain/finding.js';

/**
 * A version file with every cross-file `$ref` inlined, so the schema in the manifest stands on
 * its own (producers validate with it, consumers read it). Each referenced version file is
 * embedded once under `$defs` (`definitions` in draft-07) as `<team>.<name>.v<N>`, and every
 * reference into it, or inside it, is rewritten to a local one. When the file already has a
 * definition of that name, the embedded one becomes `<team>.<name>.v<N>.bundled` (then
 * `.bundled.2`, …): the author's definition keeps its name and its meaning.
 */
export function bundleSchema(catalogPath: string, root: unknown, read: (catalogPath: string) => unknown): unknown {
  if (!isSchemaObject(root)) return root;
  const container = typeof root.$schema === 'string' && root.$schema.includes('draft-07') ? 'definitions' : '$defs';
  const embedded = new Map<string, { key: string; schema: unknown }>();
  const keyOf = (path: string): string => bundleKey(path.replace(/\.json$/, '').replace(/^([^/]+)\/([^/]+)\/(\d+)$/, '$1.$2.v$3'), root[container]);

  // Only subschema positions are rewritten (mapSubschemas): a `$ref` inside a data keyword
  // (`const`, `default` …) is a value, while one below a property that happens to be named
  // `default` is a reference ajv resolves, and must point into the bundle.
  const rewrite = (value: unknown, from: string, prefix: string): unknown => {
    if (!isSchemaObject(value)) return value;
    const result = mapSubschemas(value, (below) => rewrite(below, from, prefix));
    const ref = value.$ref;
    if (typeof ref === 'string') {
      const [path = '', fragment = ''] = ref.split('#');
      const decodedPath = decodeRefPart(path);
      if (path === '') result.$ref = `#${prefix}${fragment}`;
      // A malformed escape names no file (check refuses it as SCHEMA_INVALID): kept as written.
      else if (decodedPath === undefined) result.$ref = ref;
      else {
        const target = posix.normalize(posix.join(posix.dirname(from), decodedPath));
        if (target === catalogPath) result.$ref = `#${fragment}`;
        else {
          embed(target);
          result.$ref = `#/${container}/${keyOf(target)}${fragment}`;
        }
      }
    }
    return result;
  };

  const embed = (target: string): void => {
    if (embedded.has(target)) return;
    const key = keyOf(target);
    embedded.set(target, { key, schema: undefined });
    const document = read(target);
    const withoutMeta = isSchemaObject(document) ? Object.fromEntries(Object.entries(document).filter(([name]) => name !== '$schema' && name !== '$id')) : document;
    embedded.set(target, { key, schema: rewrite(withoutMeta, target, `/${container}/${key}`) });
  };

  const bundled = rewrite(root, catalogPath, '') as Record<string, unknown>;
  if (embedded.size === 0) return bundled;
  const definitions = { ...(isSchemaObject(bundled[container]) ? bundled[container] : {}) };
  for (const { key, schema } of [...embedded.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) definitions[key] = schema;
  return { ...bundled, [container]: definitions };
}

/**
 * The name under which a referenced file is embedded: `name`, unless the root's own definitions
 * (`taken`) already use it. Only the root's names matter: every embedded file is one entry of
 * its own. A suffixed name has four or more dot-separated parts, so it is never the plain key of
 * another file (team and subject names hold no dot). Manifests are fingerprinted, so a file
 * without such a definition must keep the plain key: its bundle stays byte for byte as before.
 */
function bundleKey(name: string, taken: unknown): string {
  const has = (key: string): boolean => isSchemaObject(taken) && Object.prototype.hasOwnProperty.call(taken, key);
  if (!has(name)) return name;
  let key = `${name}.bundled`;
  for (let n = 2; has(key); n += 1) key = `${name}.bundled.${n}`;
  return key;
}
