import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { manifestSource } from '../../sdk/manifest-source.js';
import { openObjectStore } from '../../adapters/lake/object-store.js';
import type { Config } from '../../config/resolve.js';
import { UsageError } from '../../domain/errors.js';
import { formatSearchText, formatSubjectText } from '../../discovery/text.js';
import { describeFreshness, lakeLocationOf } from '../../discovery/view.js';
import { buildSite, FRESHNESS_TIMEOUT_MS, searchCatalog, showSubject, type DiscoveryPorts } from '../../usecases/discover.js';
import { defineCommand, environmentOption, FORMAT_OPTION, outputFormat, positiveInteger } from '../command.js';
import { checkFilesWritable, prepareOutputDirectory } from '../output-path.js';

/** `<manifest location>/latest.json` (an unreadable one is explained by runCli, as for every command that reads it). */
function latestManifest(config: Pick<Config, 'manifestUrl' | 'gcsEndpoint'>): Pick<DiscoveryPorts, 'manifest' | 'manifestLabel'> {
  const base = config.manifestUrl.replace(/\/+$/, '');
  const manifests = manifestSource(base, config.gcsEndpoint);
  return { manifest: () => manifests.latest(), manifestLabel: `${base}/latest.json` };
}

/** The discovery ports over the configured manifest location, lake and state. */
function openDiscovery(config: Pick<Config, 'manifestUrl' | 'lakeUrl' | 'stateUrl' | 'gcsEndpoint'>): DiscoveryPorts {
  return {
    ...latestManifest(config),
    // Requests end by themselves soon after readFreshness stops waiting: the command answers, then exits.
    state: openObjectStore(config.stateUrl, { ...(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}), deadlineMs: FRESHNESS_TIMEOUT_MS }),
    locations: { lakeUrl: config.lakeUrl, manifestUrl: config.manifestUrl },
    clock: () => new Date(),
  };
}

/** The settings of `search`, and of `show` and `site`, which also read the state. */
const SEARCH_SETTINGS = ['manifestUrl', 'lakeUrl', 'gcsEndpoint'] as const;
const SUBJECT_SETTINGS = ['manifestUrl', 'lakeUrl', 'stateUrl', 'gcsEndpoint'] as const;

const search = defineCommand({
  name: 'search',
  summary: 'find subjects by name, field, owner or description: topic and lake path of each',
  args: '<text…>',
  settings: SEARCH_SETTINGS,
  options: { env: environmentOption(SEARCH_SETTINGS), format: FORMAT_OPTION, limit: { type: 'string', valueName: 'N', description: 'show at most N subjects [default: 20]' } },
  details: 'Every word must match (case-insensitive). Ranked: exact subject name, then name prefix, name substring, field name, owner, description; ties by name. Reads <manifest location>/latest.json. Exit 0 (also when nothing matches); 2: bad invocation or configuration.',
  async run({ positionals, options, config, io }) {
    const format = outputFormat(options.format);
    const limit = positiveInteger(options.limit, 'limit', 20);
    const query = positionals.join(' ');
    if (query.trim() === '') throw new UsageError('search needs some text, e.g. schemaflow search email');
    const { hits, total } = await searchCatalog(latestManifest(config), query, limit);
    if (format === 'json') io.out(JSON.stringify({ query, total, hits: hits.map((hit) => ({ ...hit, lake: lakeLocationOf(config.lakeUrl, hit.lakePath) })) }, null, 2));
    else for (const line of formatSearchText(hits, { query, total, lakeUrl: config.lakeUrl })) io.out(line);
    return 0;
  },
});

const show = defineCommand({
  name: 'show',
  summary: 'everything about one subject: versions, fields, topic, lake, freshness, a DuckDB query, a producer snippet',
  args: '<subject>',
  settings: SUBJECT_SETTINGS,
  options: { env: environmentOption(SUBJECT_SETTINGS), format: FORMAT_OPTION, version: { type: 'string', valueName: 'N', description: 'list the fields of version N [default: the latest]' } },
  details: 'Reads <manifest location>/latest.json, and the latest closed hour from <state>/_closure/<subject>.json when the lake can be reached (otherwise freshness is "unknown" with the reason; the command still succeeds). Exit 0; 2: bad invocation, configuration (a gs:// state whose bucket does not exist: BUCKET_NOT_FOUND) or an unknown subject (the closest names are suggested).',
  async run({ positionals, options, config, io }) {
    const format = outputFormat(options.format);
    const [name] = positionals;
    if (name === undefined) throw new UsageError('show needs a subject, e.g. schemaflow show apps-users');
    const version = options.version === undefined ? undefined : positiveInteger(options.version, 'version', 1);
    const { view, freshness } = await showSubject(openDiscovery(config), name);
    if (version !== undefined && !view.versions.some((entry) => entry.version === version)) {
      throw new UsageError(`${name} has no version ${version}; its versions are ${view.versions.map((entry) => entry.version).join(', ')}`);
    }
    if (format === 'json') {
      const { subject, versions, ...rest } = view;
      io.out(JSON.stringify({ ...subject, versions: versions.map((entry) => ({ ...entry, schema: subject.versions.find((registered) => registered.version === entry.version)?.schema })), ...rest, freshness: { ...freshness, text: describeFreshness(freshness) } }, null, 2));
    } else {
      for (const line of formatSubjectText(view, freshness, version)) io.out(line);
    }
    return 0;
  },
});

const site = defineCommand({
  name: 'site',
  summary: 'build the static catalog: searchable index, a page per subject, rule codes; works opened from disk',
  settings: SUBJECT_SETTINGS,
  options: { env: environmentOption(SUBJECT_SETTINGS), out: { type: 'string', valueName: 'dir', description: 'the directory to write the site into (required; files are overwritten, others left alone)' } },
  details: 'Reads <manifest location>/latest.json and each subject’s latest closed hour from the lake’s state when reachable. Writes index.html, subjects/<subject>.html, rules.html, style.css, search.js and search-index.js. Exit 0; 2: bad invocation or configuration (a gs:// state whose bucket does not exist: BUCKET_NOT_FOUND, and nothing is written).',
  async run({ options, config, io }) {
    if (options.out === undefined) throw new UsageError('--out <dir> is required, e.g. schemaflow site --out site');
    const { manifest, files, lake } = await buildSite(openDiscovery(config));
    // After the site is built: a command that fails creates no directory.
    const out = prepareOutputDirectory(options.out, 'out');
    // Every file checked before the first is written: the site is written whole, or not at all.
    checkFilesWritable(files.map((file) => join(out, file.path)), `--out ${options.out}`, 'Move what is in the way, or write the site to another directory. Nothing was written.');
    for (const file of files) {
      const target = join(out, file.path);
      prepareOutputDirectory(dirname(target), 'out');
      writeFileSync(target, file.content);
    }
    io.out(`wrote ${files.length} files to ${out}: ${manifest.subjects.length} subjects from manifest serial ${manifest.serial}; ${lake}`);
    io.out(`open ${join(out, 'index.html')} in a browser (works from disk), or publish the directory (GitHub Pages: .github/workflows/site.yml, which schemaflow init scaffolds, rebuilds it after each registration)`);
    return 0;
  },
});

/** `schemaflow search`, `schemaflow show` and `schemaflow site`. */
export const discoveryCommands = [search, show, site];
