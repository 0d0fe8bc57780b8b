import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FILE_LAKE_TOPIC_MAX, FILE_NAME_MAX_BYTES } from '../../archive/layout.js';
import { SchemaflowError, messageOf } from '../../domain/errors.js';
import { mayPassOnRetry } from '../../domain/retry.js';
import type { ObjectListing, ObjectStore, StoredObject, WriteOptions } from '../../ports.js';

/** Metadata lives beside the objects in a hidden directory that listings skip. */
const META = '.schemaflow-meta';
const LOCK_STALE_MS = 30_000;
const OWNER = `${process.pid}@${hostname()}`;

/** Whether a lock's owner is gone: a dead process on this host, or a lock older than LOCK_STALE_MS. */
async function isStale(lock: string): Promise<boolean> {
  const [owner, info] = await Promise.all([readFile(lock, 'utf8').catch(() => ''), stat(lock).catch(() => undefined)]);
  if (!info) return false;
  const match = /^(\d+)@(.*)$/.exec(owner);
  if (match && match[2] === hostname()) {
    try {
      process.kill(Number(match[1]), 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
  }
  return Date.now() - info.mtimeMs > LOCK_STALE_MS;
}

const generationOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 32);

/**
 * The name of the store's own file for the file `name` (its metadata, its lock): `name` and
 * `suffix`, as it always was, when that fits in one file name (FILE_NAME_MAX_BYTES); otherwise
 * the first 32 hex digits of the SHA-256 of `name`, then `suffix`. The store's own files must
 * never make an object name that fits impossible to write; existing lakes keep their metadata
 * files, and older versions' locks still exclude.
 */
function companionName(name: string, suffix: string): string {
  if (Buffer.byteLength(`${name}${suffix}`) <= FILE_NAME_MAX_BYTES) return `${name}${suffix}`;
  return `${createHash('sha256').update(name).digest('hex').slice(0, 32)}${suffix}`;
}

/** A temporary file beside `path`, named by random digits alone: short however long the name of `path` is (listings skip `.tmp`). */
const temporaryBeside = (path: string): string => join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);

/** What a file lake cannot hold: `key`, a part of which is a longer file name than the file system takes (`why`). */
function nameTooLong(location: string, key: string, why: string, cause?: unknown): SchemaflowError {
  return new SchemaflowError(
    'OBJECT_STORE_FAILED',
    `${location}/${key}: ${why}, so a file lake cannot hold this object (each part of a key is a file or folder name). A GCS lake (gs://) has no such limit; or give the subject a shorter name: an object's file name is its topic, 52 bytes and the partition number, so topics of up to ${FILE_LAKE_TOPIC_MAX} characters fit.`,
    { cause, retriable: false },
  );
}

export function preconditionFailed(location: string, key: string, expected: string): SchemaflowError {
  return new SchemaflowError('PRECONDITION_FAILED', `${location}/${key} ${expected}; another writer got there first. Re-read it and try again.`);
}

/**
 * A local directory as an object store (the embedded default, `file://./lake`). Create-only is
 * a hard link of a fully written temporary file; compare-and-swap takes a per-key lock file, compares the content hash
 * (the generation) and renames a temporary file into place, so concurrent processes on one
 * machine behave as GCS preconditions do.
 */
export function createFileStore(root: string): ObjectStore {
  const base = resolve(root);
  const location = `file://${base}`;
  const pathOf = (key: string): string => {
    const path = resolve(base, key);
    if (!path.startsWith(`${base}${sep}`) || key.split('/').includes(META)) throw new SchemaflowError('INVALID_KEY', `${JSON.stringify(key)} is not a valid object key under ${location}`);
    const long = key.split('/').find((part) => Buffer.byteLength(part) > FILE_NAME_MAX_BYTES);
    if (long !== undefined) throw nameTooLong(location, key, `the name ${JSON.stringify(`${long.slice(0, 40)}…`)} is ${Buffer.byteLength(long)} bytes, over the ${FILE_NAME_MAX_BYTES} bytes file systems allow in one name`);
    return path;
  };
  /**
   * What failed reading or writing `key` (a prefix for a listing), as the GCS store says it:
   * OBJECT_STORE_FAILED naming the object, with the system's reason (EISDIR, ENOSPC, EACCES…) and
   * whether trying again may pass. The store's own errors (a precondition, a lock) stay as they are.
   */
  const failed = (key: string, error: unknown): never => {
    if (error instanceof SchemaflowError) throw error;
    // A file system whose names are shorter still (eCryptfs: 143 bytes) says so only now.
    if ((error as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw nameTooLong(location, key, `a name in it is longer than this file system allows (${messageOf(error)}; most allow ${FILE_NAME_MAX_BYTES} bytes)`, error);
    throw new SchemaflowError('OBJECT_STORE_FAILED', `${key === '' ? location : `${location}/${key}`}: ${messageOf(error)}`, { cause: error, retriable: mayPassOnRetry(error) });
  };
  /** A handler of a failed read of `key`: a file that is not there is `absent`; any other failure is {@link failed}. */
  const absentOr =
    <T>(key: string, absent: T) =>
    (error: unknown): T =>
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? absent : failed(key, error);
  /**
   * Metadata is kept per generation, so it is written before the object appears and can never
   * describe other bytes: `<key>.<generation>.json`, its name a digest when that is too long (companionName).
   */
  const metaOf = (key: string, generation: string): string => {
    const slash = key.lastIndexOf('/');
    return join(base, META, key.slice(0, slash + 1), companionName(key.slice(slash + 1), `.${generation}.json`));
  };

  async function writeMeta(key: string, generation: string, options: WriteOptions | undefined): Promise<void> {
    if (!options?.metadata && !options?.contentType) return;
    const path = metaOf(key, generation);
    await mkdir(dirname(path), { recursive: true });
    // Same generation = same bytes: the first description written stays. Written whole to a
    // temporary file and linked into place, so a crash never leaves a truncated description.
    const temporary = temporaryBeside(path);
    await writeFile(temporary, JSON.stringify({ contentType: options.contentType, metadata: options.metadata ?? {} }));
    try {
      await link(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Writes to a temporary file first, so no reader ever sees a partial object (a crash mid-write
   * leaves only a `.tmp` that listings skip). Create-only publishes with link(2), which fails
   * when the name exists: atomic, like GCS's ifGenerationMatch 0.
   */
  async function writeAtomically(key: string, bytes: Uint8Array, options: WriteOptions | undefined, exclusive: boolean): Promise<{ generation: string }> {
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const generation = generationOf(bytes);
    const temporary = temporaryBeside(path);
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await writeMeta(key, generation, options);
      if (!exclusive) {
        await rename(temporary, path);
        return { generation };
      }
      try {
        await link(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw preconditionFailed(location, key, 'already exists');
        throw error;
      }
      return { generation };
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * A lock file names its owner (`<pid>@<host>`). A lock whose owner died on this machine (a
   * crash, SIGKILL) is broken at once; any other is broken only when older than LOCK_STALE_MS.
   */
  async function withLock<T>(key: string, action: () => Promise<T>): Promise<T> {
    const path = pathOf(key);
    const lock = join(dirname(path), companionName(basename(path), '.lock'));
    await mkdir(dirname(lock), { recursive: true });
    for (let attempt = 0; ; attempt += 1) {
      // Linked into place whole, so a lock never exists without its owner (a kill between
      // creating and writing the file would leave an anonymous lock).
      const claim = temporaryBeside(lock);
      await writeFile(claim, OWNER);
      try {
        await link(claim, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await isStale(lock)) await rm(lock, { force: true });
        else if (attempt > 2_000) throw new SchemaflowError('LOCK_TIMEOUT', `${lock} stayed locked; remove it if no schemaflow process is running`, { retriable: true });
        else await sleep(5);
      } finally {
        await rm(claim, { force: true });
      }
    }
    try {
      return await action();
    } finally {
      await rm(lock, { force: true });
    }
  }

  return {
    location,
    async get(key) {
      const bytes = await readFile(pathOf(key)).catch(absentOr(key, undefined));
      if (!bytes) return undefined;
      const generation = generationOf(bytes);
      // No metadata file: the object has none (a file changed or copied in). One that cannot be read or parsed is a failure, not "no metadata".
      const metaPath = metaOf(key, generation);
      let meta: { metadata?: Record<string, string> } | null = null;
      try {
        meta = JSON.parse(await readFile(metaPath, 'utf8')) as { metadata?: Record<string, string> } | null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return failed(key, new Error(`cannot read its metadata ${metaPath}: ${messageOf(error)}`, { cause: error }));
      }
      const object: StoredObject = { key, generation, bytes: new Uint8Array(bytes), metadata: meta?.metadata ?? {} };
      return object;
    },
    create: (key, bytes, options) => writeAtomically(key, bytes, options, true).catch((error: unknown) => failed(key, error)),
    replace(key, bytes, ifGeneration, options) {
      return withLock(key, async () => {
        const current = await readFile(pathOf(key)).then((buffer) => generationOf(buffer), absentOr(key, null));
        if (current !== ifGeneration) throw preconditionFailed(location, key, ifGeneration === null ? 'already exists' : `is at generation ${current ?? '(none)'}, not ${ifGeneration}`);
        return writeAtomically(key, bytes, options, false);
      }).catch((error: unknown) => failed(key, error));
    },
    async list(prefix) {
      const results: ObjectListing[] = [];
      const walk = async (dir: string): Promise<void> => {
        // A directory not there (yet) holds nothing; one that cannot be read is a failure, not an empty lake.
        const entries = await readdir(dir, { withFileTypes: true }).catch(absentOr(relative(base, dir).split(sep).join('/'), []));
        for (const entry of entries) {
          const path = join(dir, entry.name);
          const key = relative(base, path).split(sep).join('/');
          if (entry.isDirectory()) {
            if (entry.name !== META && (key.startsWith(prefix) || prefix.startsWith(`${key}/`))) await walk(path);
          } else if (entry.isFile() && key.startsWith(prefix) && !entry.name.endsWith('.lock') && !entry.name.endsWith('.tmp')) {
            // Deleted since the directory was read: not listed, as GCS would not.
            const bytes = await readFile(path).catch(absentOr(key, undefined));
            if (bytes) results.push({ key, generation: generationOf(bytes), size: bytes.length });
          }
        }
      };
      await walk(base);
      return results.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}
