/**
 * Prints what a failing test saw: the error context Playwright writes on failure (the errors
 * and the page's accessibility snapshot at the end of the test), so a failure in CI's log reads
 * without the trace viewer. Long snapshots are cut; the trace keeps everything.
 */
import { readFileSync } from 'node:fs';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

const MAX_LINES = 200;

export default class FailureContextReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'passed' || result.status === 'skipped') return;
    const context = result.attachments.find((attachment) => attachment.name === 'error-context' && attachment.path);
    const lines = context ? withoutPreamble(readFileSync(context.path!, 'utf8')).split('\n') : ['(Playwright wrote no error context for this test.)'];
    const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `… ${lines.length - MAX_LINES} more lines in ${context!.path}`] : lines;
    process.stdout.write(`\n──── What "${test.titlePath().filter(Boolean).join(' › ')}" saw when it ended (${result.status}) ────\n${shown.join('\n')}\n────\n`);
  }
}

/** The errors and the page snapshot: not the context's instructions or the test's source, which the log already has. */
function withoutPreamble(markdown: string): string {
  const start = markdown.indexOf('# Error details');
  const end = markdown.indexOf('# Test source');
  return markdown.slice(start < 0 ? 0 : start, end < 0 ? undefined : end).trimEnd();
}
