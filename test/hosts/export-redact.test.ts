import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toNdjson } from '../../main/trace/export/ndjson';
import { eventMaker, message, spawn } from '../trace/event-fixtures';

const CLI = join(process.cwd(), 'bin', 'xpc-lab.mjs');

describe('xpc-lab export --redact-keys --redact-paths', () => {
  it('numbers message keys and cuts absolute paths in the CSV, and names each end by label', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xpc-lab-export-'));
    const ev = eventMaker();
    const trace = join(dir, 'in.ndjson');
    writeFileSync(
      trace,
      toNdjson(
        [
          ev({ ...spawn(100, 'com.acme.app'), program: '/Users/jane/Acme VPN.app/Contents/MacOS/Acme' }, 0),
          ev(spawn(200, 'com.acme.helper'), 0.5),
          ev(
            message({ id: 1, from: 100, to: 200, key: 'tunnelStatus', payload: { path: '/Users/jane/x' } }),
            1,
          ),
          ev(message({ id: 2, from: 200, to: 100, dir: 'reply', replyTo: 1, latencyMs: 16.895751953125 }), 2),
        ],
        { host: 'cli', world: 'test', source: 'written by this test' },
      ),
    );
    const csv = join(dir, 'out.csv');
    const r = spawnSync(
      process.execPath,
      [CLI, 'export', trace, '--csv', csv, '--redact-keys', '--redact-paths'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).not.toMatch(/usage/);
    expect(r.status).toBe(0);
    const text = readFileSync(csv, 'utf8');
    expect(text).not.toContain('tunnelStatus');
    expect(text).toContain('<key 1>');
    expect(text).not.toContain('/Users/jane');
    expect(text).toContain('16.896');
    expect(text).not.toContain('16.895751953125');
    expect(text).toContain('com.acme.app');
  });
});
