import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'plist';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorld } from '../../main/world/load';

// A world written for this test: a daemon and a client daemon whose behaviours world.plist gives.
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function worldWith(behaviours: unknown[]): string {
  const root = mkdtempSync(join(tmpdir(), 'xpc-lab-world-'));
  temps.push(root);
  mkdirSync(join(root, 'Library', 'LaunchDaemons'), { recursive: true });
  for (const label of ['com.example.svc', 'com.example.holder'])
    writeFileSync(
      join(root, 'Library', 'LaunchDaemons', `${label}.plist`),
      build({
        Label: label,
        Program: `/usr/local/libexec/${label}`,
        ...(label === 'com.example.svc' ? { MachServices: { [label]: true } } : {}),
      }),
    );
  writeFileSync(
    join(root, 'world.plist'),
    build({
      name: 'hold',
      bundles: {
        'com.example.svc': { behaviours: [{ kind: 'reply' }] },
        'com.example.holder': { behaviours },
      },
    } as never),
  );
  return root;
}

describe('load and hold in world.plist', () => {
  it('reads hold and a paced load, with their defaults', () => {
    const { world, diagnostics } = loadWorld(
      worldWith([
        { kind: 'hold', service: 'com.example.svc', connections: 100, body: { selector: 'hi' } },
        { kind: 'load', service: 'com.example.svc', messages: 1000, body: {}, ratePerSecond: 500 },
      ]),
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(world.jobs.find((j) => j.label === 'com.example.holder')?.behaviours).toEqual([
      {
        kind: 'hold',
        service: 'com.example.svc',
        connections: 100,
        body: { selector: 'hi' },
        privileged: false,
        everyMs: 0,
      },
      {
        kind: 'load',
        service: 'com.example.svc',
        messages: 1000,
        inFlight: 64,
        body: {},
        privileged: false,
        ratePerSecond: 500,
      },
    ]);
  });

  it('names the field when hold asks for no connections or more than it may hold', () => {
    for (const connections of [0, 10_001]) {
      const { diagnostics } = loadWorld(
        worldWith([{ kind: 'hold', service: 'com.example.svc', connections, body: {} }]),
      );
      expect(diagnostics).toContainEqual(
        expect.objectContaining({
          severity: 'error',
          file: 'world.plist',
          key: 'bundles.com.example.holder.behaviours.0.connections',
        }),
      );
    }
  });
});
