import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CSP, META_CSP } from '../../main/hosts/csp';

const require = createRequire(import.meta.url);

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration schema and ships the built app and its worlds", async () => {
    const config = parse(readFileSync('electron-builder.yml', 'utf8'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (c: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'assets/worlds/**']));
    expect(config.extraMetadata.main).toBe(JSON.parse(readFileSync('package.json', 'utf8')).main);
  });

  it('rejects a configuration with an unknown key, so the test above can fail', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (c: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(
      validateConfiguration({ appId: 'x', notAKey: true }, new DebugLogger(false)),
    ).rejects.toThrow(/notAKey/);
  });

  it('flips the Electron fuses: no RunAsNode, encrypted cookies, ASAR integrity, app code only from the ASAR', () => {
    const config = parse(readFileSync('electron-builder.yml', 'utf8'));
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});

describe('the built console page', () => {
  it('carries the Content-Security-Policy in a <meta>, the same as the header but frame-ancestors', () => {
    // dist/ is built by the global setup.
    const html = readFileSync(join('dist', 'renderer', 'index.html'), 'utf8');
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/g)];
    expect(metas.map((m) => m[1])).toEqual([META_CSP]);
    expect(META_CSP).toBe(CSP.replace(/; frame-ancestors 'none'$/, ''));
    expect(META_CSP).toMatch(/^default-src 'self'; script-src 'self';.* object-src 'none'; base-uri 'none'$/);
    // The meta comes before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<link'));
  });
});
