import { z } from 'zod';

/** The field types scenario steps and expectations share. */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `500ms`, `2s`, `1.5m`, or a number of milliseconds. */
export const DurationSchema = z
  .union([
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m)$/, { message: 'a duration such as 500ms, 2s or 1m' }),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(v)!;
    return Number(m[1]) * UNITS[m[2]!]!;
  });

/** A regular expression, written bare (`failed .* look-up`) or as `/…/flags`. */
export const PatternSchema = z.string().transform((text, ctx) => {
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(text);
  try {
    return slashed ? new RegExp(slashed[1]!, slashed[2]) : new RegExp(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
});

export const Id = z.string().regex(/^[A-Za-z][\w.-]{0,31}$/, { message: 'a connection id such as c1' });
export const Label = z.string().min(1);
export const within = DurationSchema.optional();
/**
 * Where an expectation looks: at what the action steps since the previous expectation caused
 * (the default), or at the whole run.
 */
export const since = z.enum(['step', 'start']).default('step');
