import { findingLine, type Finding } from '../domain/finding.js';
import type { CheckReport } from '../usecases/check-catalog.js';
import { plural } from '../domain/plural.js';

export type FindingFormat = 'text' | 'json' | 'github';

function counts(findings: readonly Finding[]): { errors: number; warnings: number; infos: number } {
  return {
    errors: findings.filter((finding) => finding.severity === 'error').length,
    warnings: findings.filter((finding) => finding.severity === 'warning').length,
    infos: findings.filter((finding) => finding.severity === 'info').length,
  };
}

/** One line saying what was checked and the verdict. */
export function summaryLine(report: CheckReport): string {
  const { errors, warnings } = counts(report.findings);
  const overridden = report.findings.filter((finding) => finding.params.override !== undefined).length;
  const versions = report.subjects.reduce((sum, subject) => sum + subject.newVersions.length, 0);
  const verdict = errors > 0 ? 'FAILED' : 'passed';
  return `check ${verdict}: ${plural(report.subjects.length, 'subject')} changed (${plural(versions, 'new version')}) against ${report.base.ref} (${report.base.commit.slice(0, 7)}): ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${overridden > 0 ? `, ${overridden} overridden` : ''}${crossCheckText(report)}`;
}

function crossCheckText(report: CheckReport): string {
  const { checked, skipped, timedOut } = report.crossChecked;
  if (checked + skipped + timedOut === 0) return '';
  return `; json-schema-diff cross-checked ${plural(checked, 'pair')} (${skipped} skipped, ${timedOut} timed out)`;
}

/**
 * GitHub workflow commands escape `%`, CR and LF in messages, and also `:` and `,` in
 * properties (docs.github.com, "workflow commands for GitHub Actions").
 */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The report in the requested format, as lines for stdout. */
export function formatReport(report: CheckReport, format: FindingFormat): string[] {
  switch (format) {
    case 'json':
      return [JSON.stringify({ base: report.base, summary: counts(report.findings), crossChecked: report.crossChecked, subjects: report.subjects, findings: report.findings }, null, 2)];
    case 'github':
      return [
        ...report.findings.map((finding) => {
          const command = finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warning' : 'notice';
          return `::${command} file=${escapeProperty(finding.file)},line=${finding.line},col=${finding.col},title=${escapeProperty(finding.code)}::${escapeData(finding.message)}`;
        }),
        summaryLine(report),
      ];
    case 'text':
      return [
        ...report.findings.map((finding) => findingLine(finding)),
        ...(report.findings.length > 0 ? [''] : []),
        summaryLine(report),
      ];
  }
}
