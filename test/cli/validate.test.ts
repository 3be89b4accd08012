import { describe, expect, it } from 'vitest';
import { asset, SPAWNS_TIMEOUT, scratch, xpcLab } from './xpc-lab';

describe('xpc-lab validate', { timeout: SPAWNS_TIMEOUT }, () => {
  it('exits 0 on a world without errors and says so in a line', () => {
    const r = xpcLab(['validate', asset('worlds', 'acme-vpn')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Acme VPN: 5 jobs, 0 diagnostics\n');
  });

  it('exits 1 on a world with an error, naming the file, key and what happens on a Mac', () => {
    const r = xpcLab(['validate', asset('worlds', 'northwind-guard')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^error: world\.plist: bundles\.com\.northwind\.guard\.behaviours\[0\]\.service: /,
    );
    expect(r.stdout).toContain('  on a Mac: ');
    expect(r.stdout).toMatch(/\nNorthwind Guard: 2 jobs, 1 diagnostic, 1 error\n$/);
  });

  it('--json prints one document with the counts and the diagnostics, and keeps the exit code', () => {
    const r = xpcLab(['validate', asset('worlds', 'northwind-guard'), '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ world: 'Northwind Guard', jobs: 2, errors: 1, warnings: 0 });
    expect(doc.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', file: 'world.plist', message: expect.any(String) }),
    ]);
  });

  it('exits 2 on a folder that does not exist, and on no folder at all', () => {
    const missing = `${scratch()}/nowhere`;
    const r = xpcLab(['validate', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `xpc-lab validate: ${missing}: not a world folder (it does not exist or is not a directory)\n`,
    );
    const none = xpcLab(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^xpc-lab validate: missing required argument 'world-dir'/);
  });
});
