import { parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type ActionKind,
  ActionSchemas,
  type Expectation,
  type ExpectKind,
  ExpectSchemas,
  HeaderSchema,
  type Scenario,
  type Step,
} from './schema';

/** A scenario file that cannot run; the message names the file, the step and the problem. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly step?: { index: number; name: string },
  ) {
    super(`${file}: ${step ? `step ${step.index} (${step.name}): ` : ''}${problem}`);
  }
}

const ACTIONS = Object.keys(ActionSchemas) as ActionKind[];
const EXPECTS = Object.keys(ExpectSchemas) as ExpectKind[];

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

function only(keys: string[], known: readonly string[], what: string): string {
  const hits = keys.filter((k) => known.includes(k));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new Error(`one ${what} per step, found ${hits.join(' and ')}`);
  throw new Error(
    `unknown ${what} ${keys.map((k) => `"${k}"`).join(', ') || '(empty)'}; expected one of ${known.join(', ')}`,
  );
}

function parseExpectation(raw: unknown): Expectation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(
      `expect: wants a map such as { conn: c1, state: invalidated }, got ${JSON.stringify(raw)}`,
    );
  }
  const kind = only(Object.keys(raw), EXPECTS, 'expectation') as ExpectKind;
  const parsed = ExpectSchemas[kind].safeParse(raw);
  if (!parsed.success) throw new Error(`expect ${kind}: ${issueText(parsed.error)}`);
  return { kind, ...parsed.data } as Expectation;
}

function parseStep(raw: unknown, index: number): Step {
  if (typeof raw === 'string') raw = { [raw]: null };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`a step is a map such as { crash: com.example.helper } or a bare action name`);
  }
  const entries = raw as Record<string, unknown>;
  const keys = Object.keys(entries).filter((k) => k !== 'name');
  const kind = only(keys, ACTIONS, 'action') as ActionKind;
  if (kind === 'expect')
    return { index, name: String(entries.name ?? 'expect'), kind, arg: parseExpectation(entries.expect) };
  const parsed = ActionSchemas[kind].safeParse(entries[kind]);
  if (!parsed.success) throw new Error(`${kind}: ${issueText(parsed.error)}`);
  return { index, name: String(entries.name ?? kind), kind, arg: parsed.data } as Step;
}

function stepName(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw !== 'object' || raw === null) return 'step';
  const entries = raw as Record<string, unknown>;
  return typeof entries.name === 'string'
    ? entries.name
    : (Object.keys(entries).find((k) => k !== 'name') ?? 'step');
}

/** Far more aliases than a scenario uses; few enough that expanding them stays cheap. */
const MAX_ALIASES = 100;

function aliasProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
  if (unresolved) return `the alias *${unresolved[1]} refers to no anchor (&${unresolved[1]}) set before it`;
  if (/Excessive alias count/.test(message))
    return `its aliases expand to too many values (each alias may be used at most ${MAX_ALIASES} times over); write the steps out`;
  return `not valid YAML: ${message}`;
}

/** Parses a scenario's YAML text. `file` names it in every error. */
export function parseScenario(text: string, file: string): Scenario {
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text);
  } catch (error) {
    // Nesting deep enough to exhaust the parser's stack, and the like.
    throw new ScenarioError(file, `not valid YAML: ${(error as Error).message}`);
  }
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = yamlError.linePos?.[0];
    throw new ScenarioError(
      file,
      `not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${yamlError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  let value: unknown;
  try {
    // yaml resolves aliases here: an undefined one, or aliases that multiply (a "billion laughs"), throw.
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new ScenarioError(file, aliasProblem(error));
  }
  const header = HeaderSchema.safeParse(value);
  if (!header.success) throw new ScenarioError(file, issueText(header.error));
  const steps = header.data.steps.map((raw, i) => {
    try {
      return parseStep(raw, i + 1);
    } catch (error) {
      throw new ScenarioError(file, (error as Error).message, { index: i + 1, name: stepName(raw) });
    }
  });
  return {
    name: header.data.name ?? file,
    file,
    timeoutMs: header.data.timeout,
    steps,
    ...(header.data.world ? { world: header.data.world } : {}),
  };
}
