/** A minimal JUnit XML model: what GitHub Actions' and GitLab's test reports read. */
export interface JunitCase {
  classname: string;
  name: string;
  timeSeconds: number;
  failure?: { message: string; details: string };
  error?: { message: string; details: string };
  skipped?: string;
}

export interface JunitSuite {
  name: string;
  timeSeconds: number;
  cases: JunitCase[];
}

function escape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // XML 1.0 allows no control characters besides tab, newline and carriage return.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

/** Serialise suites as a JUnit XML document. */
export function formatJunit(suites: readonly JunitSuite[], name = 'overlab'): string {
  const count = (suite: JunitSuite, what: 'failure' | 'error' | 'skipped') => suite.cases.filter((testCase) => testCase[what] !== undefined).length;
  const total = (what: 'failure' | 'error' | 'skipped') => suites.reduce((sum, suite) => sum + count(suite, what), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(name)}" tests="${suites.reduce((sum, suite) => sum + suite.cases.length, 0)}" failures="${total('failure')}" errors="${total('error')}" skipped="${total('skipped')}" time="${suites.reduce((sum, suite) => sum + suite.timeSeconds, 0).toFixed(3)}">`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${escape(suite.name)}" tests="${suite.cases.length}" failures="${count(suite, 'failure')}" errors="${count(suite, 'error')}" skipped="${count(suite, 'skipped')}" time="${suite.timeSeconds.toFixed(3)}">`,
    );
    for (const testCase of suite.cases) {
      const open = `    <testcase classname="${escape(testCase.classname)}" name="${escape(testCase.name)}" time="${testCase.timeSeconds.toFixed(3)}"`;
      const outcome = testCase.failure ?? testCase.error;
      if (outcome) {
        const tag = testCase.failure ? 'failure' : 'error';
        lines.push(`${open}>`, `      <${tag} message="${escape(outcome.message)}">${escape(outcome.details)}</${tag}>`, '    </testcase>');
      } else if (testCase.skipped !== undefined) {
        lines.push(`${open}>`, `      <skipped message="${escape(testCase.skipped)}"/>`, '    </testcase>');
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
