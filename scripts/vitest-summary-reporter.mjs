// A vitest reporter that writes the counts of one run as JSON, for scripts/test.mjs.
// The file goes to the path in G_VITEST_SUMMARY. It is written only when the run ends:
// a run that crashes before that leaves no file, which test.mjs reports as a failure.
//
// Counting rules:
// - every test case counts once: passed, failed, skipped (skip/skipIf/ctx.skip) or todo;
// - a file that failed with no failed test in it (an import or syntax error, a failing
//   beforeAll/afterAll hook) counts as one failure;
// - each unhandled error (an exception or rejection outside any test) counts as one failure;
// - a test still pending at the end (the run was interrupted) counts as one failure.

import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

function firstLine(err) {
  const msg = err?.message ?? String(err);
  return msg.split('\n')[0].slice(0, 300);
}

export default class SummaryReporter {
  onInit(vitest) {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules, unhandledErrors, reason) {
    const s = {
      reason,
      files: 0,
      passed: 0,
      failed: 0,
      skipped: 0,
      todo: 0,
      failures: [],
      skipNotes: {},
    };
    for (const mod of testModules) {
      s.files++;
      const file = relative(this.root ?? process.cwd(), mod.moduleId);
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const r = test.result();
        if (r.state === 'passed') {
          s.passed++;
        } else if (r.state === 'failed') {
          s.failed++;
          failedHere++;
          s.failures.push(`${file} > ${test.fullName}: ${firstLine(r.errors?.[0])}`);
        } else if (r.state === 'skipped') {
          if (test.options.mode === 'todo') {
            s.todo++;
          } else {
            s.skipped++;
            if (r.note) s.skipNotes[r.note] = (s.skipNotes[r.note] ?? 0) + 1;
          }
        } else {
          s.failed++;
          failedHere++;
          s.failures.push(`${file} > ${test.fullName}: did not finish (run ${reason})`);
        }
      }
      if (failedHere === 0 && mod.state() === 'failed') {
        const errors = [...mod.errors()];
        for (const suite of mod.children.allSuites()) errors.push(...suite.errors());
        s.failed++;
        s.failures.push(
          `${file}: the file failed outside its tests: ${errors.length ? firstLine(errors[0]) : 'see the log above'}`,
        );
      }
    }
    for (const err of unhandledErrors) {
      s.failed++;
      s.failures.push(`unhandled error: ${firstLine(err)}`);
    }
    const out = process.env.G_VITEST_SUMMARY;
    if (out) writeFileSync(out, `${JSON.stringify(s, null, 2)}\n`);
  }
}
