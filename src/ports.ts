/**
 * What the use cases need from the world, as interfaces. Adapters implement them; tests pass
 * real adapters over real repositories (STYLE.md habit 4: inject, never mock modules).
 */

/** One entry of a file tree. Symlinks are reported, never followed (DESIGN.md §10). */
export interface TreeEntry {
  readonly name: string;
  /** Repository-relative path with `/` separators. */
  readonly path: string;
  /** `submodule`: a gitlink (mode 160000) in a commit; the working tree shows it as a directory. */
  readonly kind: 'file' | 'directory' | 'symlink' | 'submodule' | 'other';
  /** Bytes for files; 0 otherwise. */
  readonly size: number;
}

/**
 * A read-only view of a tree of files: the working tree or a git commit. Synchronous, because
 * pure code reads from it lazily (a `$ref` to another subject's file is read only when met).
 */
export interface FileTree {
  /** What this tree is, for messages: `working tree`, `origin/main (3f2c1ab)`. */
  readonly label: string;
  /** The entry at a path, or undefined when nothing is there. */
  stat(path: string): TreeEntry | undefined;
  /** The entries directly inside a directory, sorted by name; empty when it does not exist. */
  list(dir: string): readonly TreeEntry[];
  /** The bytes of a regular file; undefined for anything else. */
  read(path: string): Uint8Array | undefined;
  /**
   * Many files at once (one git process for a commit tree, which keeps them for later reads);
   * missing ones are absent from the map.
   */
  readMany(paths: readonly string[]): Map<string, Uint8Array>;
}

/** A path that differs between a commit and the working tree. */
export interface ChangedPath {
  readonly path: string;
  readonly status: 'added' | 'modified' | 'deleted';
}

/** The git repository the catalog lives in. */
export interface Repository {
  /** Absolute path of the work tree root. */
  readonly root: string;
  isShallow(): boolean;
  /** The commit a ref names, or undefined when it does not resolve. */
  resolveCommit(ref: string): string | undefined;
  /** Whether `ancestor` equals `descendant` or is one of its ancestors (false when either is unknown). */
  isAncestor(ancestor: string, descendant: string): boolean;
  /** The best common ancestor of two commits, or undefined when they share no history. */
  mergeBase(a: string, b: string): string | undefined;
  /**
   * Paths under `prefix` that differ between `commit` and the working tree, untracked files
   * included; or, given `to`, between the two commits.
   */
  changedPaths(commit: string, prefix: string, to?: string): readonly ChangedPath[];
  /** The tree of a commit. */
  treeAt(commit: string, label: string): FileTree;
  /**
   * Of `paths` (files present both on disk and in `commit`), those whose file on disk is not
   * what `commit` holds once cleaned as git stores a file: line-ending and encoding conversions
   * come back the same, an edit or an `ident` expansion of a span git would not write does not.
   */
  checkoutDiffers(commit: string, paths: readonly string[]): readonly string[];
  /**
   * The first-parent history up to `commit`, oldest first: each commit with the paths under
   * `prefix` it changed relative to its first parent (merges included, as landed).
   */
  firstParentHistory(commit: string, prefix: string): ReadonlyArray<{ readonly commit: string; readonly changes: readonly ChangedPath[] }>;
  /** The working tree (what is on disk now). */
  workingTree(): FileTree;
}

/** What json-schema-diff said about a (source, destination) pair, or why it did not answer. */
export type SchemaDiffOutcome =
  | { readonly status: 'done'; readonly removalsFound: boolean; readonly additionsFound: boolean; readonly removedSchema: unknown; readonly addedSchema: unknown }
  | { readonly status: 'timeout' }
  | { readonly status: 'failed'; readonly reason: string };

/** A set-semantics second opinion on schema pairs (json-schema-diff, run apart with a time limit). */
/** A compiled pattern as ajv's `code.regExp` engine returns it: only `test` is used. */
export interface PatternMatcher {
  test(text: string): boolean;
  /** ajv keys its compiled patterns by this: distinct for distinct patterns. */
  toString(): string;
}

/**
 * Compiles a pattern nobody proved safe (lookaround, backreferences, polynomial backtracking)
 * into a matcher whose `test` is bounded in time: past its limit it throws PatternTimeoutError.
 * Throws a SyntaxError for a pattern that does not compile, as `new RegExp` would.
 */
export type UntrustedPatterns = (pattern: string) => PatternMatcher;

export interface SchemaDiffer {
  diff(source: unknown, destination: unknown): Promise<SchemaDiffOutcome>;
  close(): Promise<void>;
}

/** An object read from a store, with the generation a compare-and-swap must name. */
export interface StoredObject {
  readonly key: string;
  readonly generation: string;
  readonly bytes: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectListing {
  readonly key: string;
  readonly generation: string;
  readonly size: number;
}

export interface WriteOptions {
  readonly contentType?: string;
  /** Small string properties stored with the object (GCS custom metadata). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Where manifests, lake objects and flow state live: GCS, or a local directory. Writes are
 * create-only or compare-and-swap on the object's generation, so concurrent writers never
 * overwrite each other; a lost race throws `PRECONDITION_FAILED`.
 */
export interface ObjectStore {
  /** `gs://bucket/prefix` or `file:///abs/path`, for messages. */
  readonly location: string;
  /** The object, or undefined when there is none. */
  get(key: string): Promise<StoredObject | undefined>;
  /** Writes only if no object has the key (GCS ifGenerationMatch: 0). */
  create(key: string, bytes: Uint8Array, options?: WriteOptions): Promise<{ generation: string }>;
  /**
   * Writes only if the object's current generation is `ifGeneration`, or, with `null`, only if
   * there is no object yet.
   */
  replace(key: string, bytes: Uint8Array, ifGeneration: string | null, options?: WriteOptions): Promise<{ generation: string }>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ObjectListing[]>;
}

/** A Kafka record as the flow reads it (offsets and timestamps as decimal strings, as Kafka clients give them). */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** A header Kafka carries without a value is null (kafkajs hands it over so); a repeated one is an array. */
  readonly headers: Readonly<Record<string, Buffer | string | null | undefined | ReadonlyArray<Buffer | string | null>>>;
}

/** A partition's offsets as Kafka reports them: `low` is the earliest kept, `high` the next to be written. */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/** Offsets `[from, to)` of one partition to read. */
export interface ReadRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

/** Records of one partition in offset order, as one fetch returned them. */
export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly KafkaRecord[];
  /** True once the partition has been read up to its range's end. */
  readonly done: boolean;
  /** Keeps the reader's session alive during long work on the batch (uploads). */
  readonly heartbeat: () => Promise<void>;
}

/**
 * Where the flow reads records: Kafka through a per-run consumer group that seeks to the
 * offsets the lake's state names (the group's own committed offsets are never trusted).
 */
export interface RecordSource {
  /** Partitions and their watermarks for each topic that exists; missing topics are absent. */
  offsets(topics: readonly string[]): Promise<PartitionOffsets[]>;
  /**
   * Reads every range, calling `handle` batch by batch (sequential within a partition; `handle`
   * answers false when it wants no more of that partition). Resolves
   * when every range is read, when `until` (epoch ms) passes or `stop` aborts, or when no record
   * has come for a while although ranges are unfinished (transaction markers at a partition's
   * end carry none). A batch being handled is finished first either way.
   */
  read(ranges: readonly ReadRange[], handle: (batch: RecordBatch) => Promise<boolean>, options: { until: number; stop?: AbortSignal | undefined }): Promise<void>;
  /** Records archived positions in the stable group `schemaflow-flow`, for lag monitoring only. */
  recordPositions(positions: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly next: bigint }>): Promise<void>;
  /**
   * Deletes the per-run read groups that runs killed before their end left behind, only those
   * without members (a run reading has some). Resolves with the groups removed and the ones that
   * could not be (problems, for warnings); rejects when the groups cannot be listed.
   */
  removeLeftoverGroups(): Promise<{ readonly removed: readonly string[]; readonly problems: readonly string[] }>;
  close(): Promise<void>;
}

/** One measurement: a counter increment, a gauge value or a duration in milliseconds. */
export interface Metric {
  readonly type: 'count' | 'gauge' | 'timing';
  readonly name: string;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Where metrics go (StatsD); sending never fails a run. */
export interface MetricsSink {
  send(metrics: readonly Metric[]): Promise<void>;
}
