import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importLog, summarize } from '../../../main/trace/import';
import { TraceEventSchema } from '../../../main/trace/schema';

/** Logs quoted verbatim in public issues, pull requests and forum posts; each `.source` says where from and what was counted by hand. */
const DIR = join(import.meta.dirname, '../../fixtures/real/logs');

interface Source {
  source: string;
  layout: string;
  expected: {
    linesRead: number;
    linesUsed: number;
    connectionsActivated: number;
    listeners: number;
    invalidationsByReason: Record<string, number>;
    interruptions: number;
    lookupFailuresByError: Record<string, number>;
    processes: number;
    exits: number;
  };
}

const names = readdirSync(DIR)
  .filter((n) => !n.endsWith('.source'))
  .sort();

function source(name: string): Source {
  return parse(readFileSync(join(DIR, `${name}.source`), 'utf8')) as Source;
}

function imported(name: string) {
  return importLog(readFileSync(join(DIR, name), 'utf8'), { source: name });
}

describe('the real corpus', () => {
  it('holds at least 25 verbatim excerpts, each with a .source note naming where it came from', () => {
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) expect(source(name).source).toMatch(/^https:\/\//);
  });

  it('covers every layout the importer reads from text', () => {
    const layouts = new Set(names.map((n) => source(n).layout));
    for (const layout of [
      'default',
      'syslog',
      'console-copy',
      'launchd-log',
      'bsd-syslog',
      'console-1011',
      'third-party',
      'text',
    ])
      expect(layouts).toContain(layout);
  });

  it.each(names)('%s: the counts in its .source note', (name) => {
    const { expected, layout } = source(name);
    const result = imported(name);
    const summary = summarize(result);
    const { exits, ...counts } = expected;
    expect({
      linesRead: summary.linesRead,
      linesUsed: summary.linesUsed,
      connectionsActivated: summary.connectionsActivated,
      listeners: summary.listeners,
      invalidationsByReason: summary.invalidationsByReason,
      interruptions: summary.interruptions,
      lookupFailuresByError: summary.lookupFailuresByError,
      processes: summary.processes,
    }).toEqual(counts);
    expect(result.events.filter((e) => e.kind === 'process.exit')).toHaveLength(exits);
    expect(summary.format).toBe(layout);
  });

  it.each(names)(
    '%s: every event is schema-valid and each used line is a log event with its own text',
    (name) => {
      const result = imported(name);
      const text = readFileSync(join(DIR, name), 'utf8');
      const logs = result.events.filter((e) => e.kind === 'log');
      expect(logs).toHaveLength(result.linesUsed);
      for (const e of result.events) expect(() => TraceEventSchema.parse(e)).not.toThrow();
      for (const log of logs) expect(text).toContain(log.text);
    },
  );
});
