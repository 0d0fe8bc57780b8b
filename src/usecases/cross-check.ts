import { applyOverrides } from '../catalog/overrides.js';
import { COMPAT_CODES } from '../compat/codes.js';
import { truncate } from '../compat/walk.js';
import { PatternTimeoutError } from '../domain/errors.js';
import { compareFindings, type Finding } from '../domain/finding.js';
import type { SchemaDiffer } from '../ports.js';
import type { CheckReport } from './check-catalog.js';
import { patternTimeoutFinding } from './subject-compatibility.js';

/**
 * json-schema-diff as a second opinion (DESIGN.md §3): for each new version and the one before,
 * within its supported subset, a difference it finds in a checked direction that the rule walk
 * did not explain becomes a finding, with an example built from its difference schema and
 * verified with ajv. It fails open on keywords it does not know, so it only ever adds findings.
 */
export async function crossCheckCatalog(report: CheckReport, differ: SchemaDiffer): Promise<CheckReport> {
  const findings: Finding[] = [];
  let checked = 0;
  let skipped = 0;
  let timedOut = 0;
  // Pairs go to the differ concurrently (it bounds its own parallelism); findings keep pair order.
  const outcomes = await Promise.all(report.crossCheck.map((pair) => pair.outcome ?? (pair.forms.old.ok && pair.forms.new.ok ? differ.diff(pair.forms.old.schema, pair.forms.new.schema) : Promise.resolve(undefined))));
  report.crossCheck.forEach((pair, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined || outcome.status === 'failed') {
      skipped += 1;
      return;
    }
    if (outcome.status === 'timeout') {
      timedOut += 1;
      return;
    }
    checked += 1;
    for (const direction of pair.directions) {
      const found = direction === 'BACKWARD' ? outcome.removalsFound : outcome.additionsFound;
      if (!found || pair.strict[direction] !== 'compatible') continue;
      let example: unknown;
      try {
        const candidate = pair.example(direction === 'BACKWARD' ? outcome.removedSchema : outcome.addedSchema);
        example = candidate !== undefined && pair.proves(direction, candidate) ? candidate : undefined;
      } catch (error) {
        if (!(error instanceof PatternTimeoutError)) throw error;
        findings.push(patternTimeoutFinding(pair.file, error, `cross-checked with json-schema-diff against version ${pair.against}`));
        break;
      }
      const [reader, writer] = direction === 'BACKWARD' ? [`version ${pair.version} (new)`, `version ${pair.against} (old)`] : [`version ${pair.against} (old)`, `version ${pair.version} (new)`];
      findings.push({
        code: 'CROSSCHECK_DIFFERENCE',
        severity: 'error',
        file: pair.file,
        line: 1,
        col: 1,
        pointer: '',
        message: `json-schema-diff finds values that ${writer} accepts and ${reader} rejects, which the rule walk did not report. Under ${direction}, consumers reading with ${reader} may not read events written with ${writer}${example !== undefined ? `, e.g. ${truncate(example, 200)}` : ' (its difference schema gave no example ajv could confirm; review it, or override after review)'}.`,
        params: { direction, against: `version ${pair.against}`, ...(example !== undefined ? { example } : {}), differenceSchema: direction === 'BACKWARD' ? outcome.removedSchema : outcome.addedSchema },
      });
    }
  });
  const judged = applyOverrides(findings, report.overrides, report.catalogDir, (code) => code in COMPAT_CODES);
  const subjects = report.subjects.map((subject) => {
    const own = judged.filter((finding) => finding.file.startsWith(`${report.catalogDir}/${subject.team}/${subject.name}/`) && finding.severity === 'error');
    return { ...subject, errors: subject.errors + own.length };
  });
  return { ...report, subjects, findings: [...report.findings, ...judged].sort(compareFindings), crossChecked: { checked, skipped, timedOut } };
}
