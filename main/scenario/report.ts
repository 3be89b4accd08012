import { formatEvent } from './format';
import type { ScenarioResult, StepResult } from './runner';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function stepLine(s: StepResult): string {
  return `step ${s.index}${s.name !== s.kind ? ` (${s.name})` : ''}: ${s.description}`;
}

/** The text the CLI prints: PASS/FAIL, each failed step with why, and the events around it. */
export function textReport(result: ScenarioResult): string {
  const { scenario } = result;
  const expectations = scenario.steps.filter((s) => s.kind === 'expect').length;
  const head = `${result.ok ? 'PASS' : 'FAIL'}  ${scenario.name} (${scenario.steps.length} steps, ${expectations} expectations, ${seconds(result.durationMs)} s)`;
  const t0 = result.events[0]?.t ?? 0;
  const lines = [head];
  for (const s of result.steps) {
    // A remedy's steps, outcomes and cost are what its scenario is about (XPC-MODEL §10.1).
    if (s.ok && s.kind === 'remedy' && s.message) {
      lines.push(`  ✓ ${stepLine(s)}`, ...s.message.split('\n').map((l) => `    ${l}`));
      continue;
    }
    if (s.ok) continue;
    lines.push(`  ✗ ${stepLine(s)}`, `    ${s.message ?? 'failed'}`);
    if (s.context?.length) {
      lines.push('    events around it:');
      for (const e of s.context) lines.push(`      ${formatEvent(e, t0)}`);
    }
  }
  const skipped = scenario.steps.length - result.steps.length;
  if (skipped > 0) lines.push(`  ${skipped} step(s) after the failed action did not run`);
  return lines.join('\n');
}

/** XML 1.0 forbids most control characters, so they are dropped. */
function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .split('')
    .filter((c) => c >= ' ' || c === '\n' || c === '\t' || c === '\r')
    .join('');
}

/** JUnit XML: one test case per step, failures with their message and the events around them. */
export function junitReport(result: ScenarioResult): string {
  return junitReports([result]);
}

/** JUnit XML for several scenarios: one test suite each. */
export function junitReports(results: readonly ScenarioResult[]): string {
  const steps = results.reduce((n, r) => n + r.scenario.steps.length, 0);
  const failures = results.reduce((n, r) => n + r.steps.filter((s) => !s.ok).length, 0);
  const time = results.reduce((n, r) => n + r.durationMs, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${steps}" failures="${failures}" time="${seconds(time)}">`,
    ...results.flatMap(junitSuite),
    '</testsuites>',
    '',
  ].join('\n');
}

function junitSuite(result: ScenarioResult): string[] {
  const { scenario } = result;
  const t0 = result.events[0]?.t ?? 0;
  const failures = result.steps.filter((s) => !s.ok).length;
  const skipped = scenario.steps.slice(result.steps.length);
  const cases = result.steps.map((s) => {
    const open = `    <testcase classname="${xml(scenario.name)}" name="${xml(stepLine(s))}" time="${seconds(s.durationMs)}"`;
    if (s.ok) return `${open}/>`;
    const body = [s.message ?? 'failed', ...(s.context ?? []).map((e) => formatEvent(e, t0))].join('\n');
    return `${open}>\n      <failure message="${xml(s.message ?? 'failed')}">${xml(body)}</failure>\n    </testcase>`;
  });
  for (const s of skipped) {
    cases.push(
      `    <testcase classname="${xml(scenario.name)}" name="${xml(`step ${s.index}: ${s.name}`)}" time="0">\n      <skipped/>\n    </testcase>`,
    );
  }
  return [
    `  <testsuite name="${xml(scenario.name)}" file="${xml(scenario.file)}" tests="${scenario.steps.length}" failures="${failures}" skipped="${skipped.length}" time="${seconds(result.durationMs)}">`,
    ...cases,
    '  </testsuite>',
  ];
}
