import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../domain/errors.js';
import { createManifestLoader, loadManifest } from '../../sdk/manifest-source.js';
import { generateTypes } from '../../sdk/typegen.js';
import { defineCommand, environmentOption } from '../command.js';
import { checkFilesWritable, prepareOutputDirectory } from '../output-path.js';

const TYPES_SETTINGS = ['manifestUrl', 'gcsEndpoint'] as const;

const types = defineCommand({
  name: 'types',
  summary: 'write TypeScript declarations of every subject and version, for compile-time checks of send()',
  settings: TYPES_SETTINGS,
  options: { env: environmentOption(TYPES_SETTINGS), out: { type: 'string', valueName: 'dir', description: 'the directory to write schemaflow-events.d.ts into (required)' } },
  details: 'Reads <manifest location>/latest.json. Include the file in your tsconfig; then producer.send(subject, event) checks the event against the subject’s latest version (or { version: N }).',
  async run({ options, config, io }) {
    if (options.out === undefined) throw new UsageError('--out <dir> is required');
    const manifest = await loadManifest(`${config.manifestUrl.replace(/\/+$/, '')}/latest.json`, createManifestLoader(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}));
    // After the manifest loads: a command that fails creates no directory.
    const out = prepareOutputDirectory(options.out, 'out');
    const file = join(out, 'schemaflow-events.d.ts');
    checkFilesWritable([file], `--out ${options.out}`, 'Move what is in the way, or write to another directory.');
    writeFileSync(file, generateTypes(manifest));
    io.out(`wrote ${file}: ${manifest.subjects.length} subjects from manifest serial ${manifest.serial}`);
    return 0;
  },
});

/** `schemaflow types`. */
export const typesCommands = [types];
