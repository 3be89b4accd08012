import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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
});
