import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
/** Where code, tests, worlds, scenarios and docs cite the model. */
const SCANNED = ['main', 'renderer', 'preload', 'test', 'assets', 'docs', 'README.md'];
/** Inputs kept as found (logs, plists from other projects) cite nothing; this file names what it looks for. */
const SKIPPED = [join('test', 'fixtures'), join('test', 'docs', 'citations.test.ts')];
const TEXT = /\.(ts|tsx|mts|mjs|js|cjs|md|ya?ml|plist|json|css|html|txt|strings)$/;

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full) || SKIPPED.includes(path)) return [];
  if (!statSync(full).isDirectory()) return TEXT.test(path) ? [path] : [];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

/** Section numbers of a markdown file's `## N.` and `### N.M` headings, and the words of each heading. */
function headings(path: string): { numbers: Set<string>; titles: Set<string> } {
  const numbers = new Set<string>();
  const titles = new Set<string>();
  for (const line of readFileSync(join(ROOT, path), 'utf8').split('\n')) {
    const m = /^#{2,4} (?:(\d+(?:\.\d+)*)\.? )?(.+?)\s*$/.exec(line);
    if (!m) continue;
    if (m[1]) numbers.add(m[1]);
    titles.add(m[2]!);
  }
  return { numbers, titles };
}

export interface CitationProblem {
  file: string;
  line: number;
  problem: string;
}

/**
 * Every `§N.M` in the project cites the behaviour model (`XPC-MODEL §N.M` in
 * code, bare `§N.M` in tables and docs) and must name one of its sections;
 * `docs/design.md, <section>` must name a heading of the design; nothing may
 * point outside the repository (`../shared/…`) or at file names a clone does
 * not have (XPC-MODEL.md, DESIGN.md).
 */
export function citationProblems(
  file: string,
  text: string,
  model: Set<string>,
  designTitles: Set<string>,
): CitationProblem[] {
  const out: CitationProblem[] = [];
  text.split('\n').forEach((line, i) => {
    const at = (problem: string) => out.push({ file, line: i + 1, problem });
    for (const m of line.matchAll(/§\s?(\d+(?:\.\d+)*)/g)) {
      if (!model.has(m[1]!)) at(`§${m[1]} is not a section of docs/xpc-model.md`);
    }
    if (/\.\.\/shared\b|\/work\/shared\b/.test(line)) at('points outside the repository (../shared)');
    if (/XPC-MODEL\.md/.test(line)) at('names XPC-MODEL.md, which a clone does not have: cite docs/xpc-model.md');
    if (/(?<![\w/])DESIGN\.md/.test(line)) at('names DESIGN.md, which a clone does not have: cite docs/design.md');
    for (const m of line.matchAll(/docs\/design\.md, ([A-Z][^).;:]*)/g)) {
      if (!designTitles.has(m[1]!.trim())) at(`"${m[1]!.trim()}" is not a section of docs/design.md`);
    }
  });
  return out;
}

describe('citations', () => {
  const model = headings('docs/xpc-model.md');
  const design = headings('docs/design.md');

  it('the model has every section the code cites, §1 to §10 and their subsections', () => {
    for (const n of ['1', '1.1', '1.5', '2', '3.4', '4.6', '5.4', '6.2', '7.4', '8.1', '8.10', '9', '10', '10.7'])
      expect(model.numbers, n).toContain(n);
  });

  it('every §, docs/design.md section and link in the repository resolves', () => {
    const problems = SCANNED.flatMap(files).flatMap((file) =>
      citationProblems(file, readFileSync(join(ROOT, file), 'utf8'), model.numbers, design.titles),
    );
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.problem}`)).toEqual([]);
  });

  it('README and docs link only to files in the repository', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...files('docs').filter((f) => f.endsWith('.md'))]) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(ROOT, dirname(file), target))) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a section that does not exist, a ../shared path and a design section that does not exist', () => {
    const lines = [
      `// the rule (XPC-MODEL §1.2, §${'42.1'})`,
      `see [the model](../${'shared'}/XPC-MODEL${'.md'})`,
      `/** bounded (docs/design.md, ${'Made up'}). */`,
      `/** bounded (docs/design.md, Trust boundaries). */ (XPC-MODEL §10.7)`,
    ];
    const found = citationProblems('x.ts', lines.join('\n'), model.numbers, design.titles);
    expect(found.map((p) => `${p.line}: ${p.problem}`)).toEqual([
      `1: §${'42.1'} is not a section of docs/xpc-model.md`,
      '2: points outside the repository (../shared)',
      '2: names XPC-MODEL.md, which a clone does not have: cite docs/xpc-model.md',
      `3: "${'Made up'}" is not a section of docs/design.md`,
    ]);
  });
});
