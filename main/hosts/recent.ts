import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** XPC Lab's own folder: ~/.xpc-lab, or $XPC_LAB_HOME (tests point it into test-output). */
export function labHome(): string {
  return resolve(process.env.XPC_LAB_HOME ?? join(homedir(), '.xpc-lab'));
}

export function defaultRecentFile(): string {
  return join(labHome(), 'recent.json');
}

const KindSchema = z.enum(['world', 'trace', 'log']);
export type RecentKind = z.infer<typeof KindSchema>;

const EntrySchema = z.object({
  kind: KindSchema,
  path: z.string().min(1).max(4096),
  name: z.string().max(512),
  openedAt: z.string().max(64),
});
export type RecentEntry = z.infer<typeof EntrySchema>;

/** The file is the user's to edit or lose: anything unreadable is treated as an empty list. */
const FileSchema = z.object({ v: z.literal(1), entries: z.array(z.unknown()).max(1000) });

/**
 * What was opened lately, newest first, at most `limit` of each kind, kept in
 * a small JSON file. An entry whose file or folder has gone is dropped when
 * the list is read. A list that cannot be written costs only the memory of it.
 */
export class RecentStore {
  constructor(
    readonly file: string = defaultRecentFile(),
    readonly limit = 10,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(kind?: RecentKind): RecentEntry[] {
    const all = this.read();
    const present = all.filter((e) => existsSync(e.path));
    if (present.length !== all.length) this.write(present);
    return kind ? present.filter((e) => e.kind === kind) : present;
  }

  add(entry: Omit<RecentEntry, 'openedAt'>): RecentEntry {
    const added = { ...entry, openedAt: this.now().toISOString() };
    const others = this.read().filter((e) => !(e.kind === entry.kind && e.path === entry.path));
    const kept: RecentEntry[] = [added];
    const counts = new Map<RecentKind, number>([[entry.kind, 1]]);
    for (const e of others) {
      const n = counts.get(e.kind) ?? 0;
      if (n >= this.limit) continue;
      counts.set(e.kind, n + 1);
      kept.push(e);
    }
    this.write(kept);
    return added;
  }

  private read(): RecentEntry[] {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return [];
    }
    const parsed = FileSchema.safeParse(raw);
    if (!parsed.success) return [];
    return parsed.data.entries.flatMap((e) => {
      const entry = EntrySchema.safeParse(e);
      return entry.success ? [entry.data] : [];
    });
  }

  private write(entries: RecentEntry[]): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      // Written beside and renamed over, so a crash mid-write never leaves half a file.
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify({ v: 1, entries }, null, 2)}\n`);
      renameSync(temp, this.file);
    } catch {
      // A read-only or full disk must not stop a world from opening.
    }
  }
}
