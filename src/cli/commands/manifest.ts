import { writeFileSync } from 'node:fs';
import { openRepository } from '../../adapters/git/repository.js';
import { buildCatalogManifest } from '../../usecases/build-manifest.js';
import { defineCommand } from '../command.js';
import { prepareOutputFile } from '../output-path.js';

const build = defineCommand({
  name: 'manifest build',
  summary: 'build the manifest of the catalog at a commit (IDs, fingerprints, bundled schemas)',
  settings: ['catalogDir'],
  options: {
    out: { type: 'string', valueName: 'file', description: 'write it to this file [default: stdout]' },
    env: { type: 'string', valueName: 'name', description: 'apply the topic overrides of this catalog.yaml environment' },
    commit: { type: 'string', valueName: 'ref', description: 'the commit of the default branch to build from [default: HEAD]' },
  },
  details: 'Deterministic: the same commit gives the same bytes. IDs come from the first-parent history, so a shallow clone is refused (exit 2).',
  run({ options, config, io }) {
    const out = options.out !== undefined ? prepareOutputFile(options.out, 'out') : undefined;
    const { manifest, bytes } = buildCatalogManifest(openRepository(process.cwd(), 'the manifest is built from a commit of the catalog and its history, so run it in a clone of the catalog repository'), {
      catalogDir: config.catalogDir,
      ...(options.commit !== undefined ? { commit: options.commit } : {}),
      ...(options.env !== undefined ? { environment: options.env } : {}),
    });
    if (out !== undefined) {
      writeFileSync(out, bytes);
      const versions = manifest.subjects.reduce((sum, subject) => sum + subject.versions.length, 0);
      io.err(`wrote ${options.out}: manifest serial ${manifest.serial} of ${manifest.sourceCommit.slice(0, 12)}, ${manifest.subjects.length} subjects, ${versions} versions`);
    } else io.out(new TextDecoder().decode(bytes).trimEnd());
    return Promise.resolve(0);
  },
});

/** `schemaflow manifest build`. */
export const manifestCommands = [build];
