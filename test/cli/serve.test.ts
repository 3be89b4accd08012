import { describe, expect, it } from 'vitest';
import { SPAWNS_TIMEOUT, xpcLab } from './xpc-lab';

// A served world runs until stopped; its start-up output is tested in test/hosts/serve.test.ts.
describe('xpc-lab serve', { timeout: SPAWNS_TIMEOUT }, () => {
  it('exits 2 on a port that is not one, before starting anything', () => {
    const r = xpcLab(['serve', '--port', '70000', '--no-record']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('xpc-lab serve: --port must be a whole number from 0 to 65535, got "70000"\n');
  });

  it('exits 2 when given both a trace and a log', () => {
    const r = xpcLab(['serve', '--trace', 'a.ndjson', '--log', 'b.log']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('xpc-lab serve: give --trace or --log, not both\n');
  });

  it('exits 2 on a log that cannot be read, naming it', () => {
    const r = xpcLab(['serve', '--port', '0', '--log', '/nonexistent/customer.log']);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/console: http/);
    expect(r.stderr).toMatch(/^xpc-lab serve: .*\/nonexistent\/customer\.log/);
  });
});
