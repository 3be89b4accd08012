import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RecorderRotation, rotatedPath, TraceRecorder } from '../../main/trace/recorder';
import { TraceEventSchema, TraceHeaderSchema } from '../../main/trace/schema';
import { eventMaker } from './event-fixtures';

const CAP = 64 * 1024;

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

describe('trace size cap with rotation', () => {
  it('rotates to <name>.1.ndjson … within the cap, keeps a bounded number of files and counts what it deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-rotate-'));
    const path = join(dir, 'session.ndjson');
    const rotations: RecorderRotation[] = [];
    const recorder = new TraceRecorder({
      path,
      header: { host: 'cli', world: 'flood' },
      maxFileBytes: CAP,
      maxFiles: 3,
      onRotate: (r) => rotations.push(r),
    });
    const ev = eventMaker();
    const total = 3000;
    for (let i = 0; i < total; i++) {
      recorder.append([ev({ kind: 'action', action: 'tick', detail: `event ${i} ${'x'.repeat(60)}` })]);
      if (i % 200 === 0) await recorder.flush();
    }
    await recorder.close();

    const files = [path, rotatedPath(path, 1), rotatedPath(path, 2)];
    expect(rotatedPath(path, 1)).toBe(join(dir, 'session.1.ndjson'));
    for (const f of files) {
      expect(existsSync(f)).toBe(true);
      expect(statSync(f).size).toBeLessThanOrEqual(CAP);
      const [head, ...rest] = lines(f);
      expect(TraceHeaderSchema.safeParse(JSON.parse(head as string)).success).toBe(true);
      for (const l of rest) expect(TraceEventSchema.safeParse(JSON.parse(l)).success).toBe(true);
    }
    expect(existsSync(rotatedPath(path, 3))).toBe(false);
    const kept = files.reduce((n, f) => n + lines(f).length - 1, 0);
    expect(rotations.length).toBeGreaterThan(2);
    expect(rotations.at(-1)?.deleted).toBe(rotatedPath(path, 2));
    // Every event is either in a kept file or counted as dropped.
    expect(kept + recorder.droppedEvents).toBe(total);
    expect(recorder.droppedEvents).toBeGreaterThan(0);
    // The newest events are in the current file, the ones before in part 1.
    const lastDetail = JSON.parse(lines(path).at(-1) as string).detail as string;
    expect(lastDetail.startsWith(`event ${total - 1} `)).toBe(true);
    const firstCurrent = JSON.parse(lines(path)[1] as string).detail as string;
    const lastPart1 = JSON.parse(lines(rotatedPath(path, 1)).at(-1) as string).detail as string;
    expect(Number(firstCurrent.split(' ')[1])).toBe(Number(lastPart1.split(' ')[1]) + 1);
  });
});
