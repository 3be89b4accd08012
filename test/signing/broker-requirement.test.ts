import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESIGNATED_HINT } from '../../main/broker/core/policy/requirement';
import { hostArchitecture, readCodeSignatureSparse } from '../../main/signing';
import { summarizeSignature } from '../../main/signing/executable';
import type { JobSpec } from '../../main/world/model';
import { app, checkIn, job, ptrOf, setup } from '../broker/harness';

const FIXTURE = join(__dirname, '..', 'fixtures', 'real', 'binaries', 'sentry-cli-darwin-3.8.0.sparse');

/** A client app whose executable carries sentry-cli's real Developer ID signature. */
function signedClient(): JobSpec {
  const report = readCodeSignatureSparse(FIXTURE);
  const signature = summarizeSignature(
    report,
    hostArchitecture(report),
    'Sentry.app/Contents/MacOS/sentry-cli',
  );
  const base = app('io.sentry.cli');
  return { ...base, signing: { anchor: 'developer-id', teamId: '97JCY7859U', notarized: false }, signature };
}

function connect(listenerRequirement: string) {
  const t = setup([signedClient(), job('com.example.daemon')]);
  const client = t.spawner.running('io.sentry.cli');
  client.say({ t: 'connect', conn: 'c1', name: 'com.example.daemon', privileged: false });
  client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'status' }, expectsReply: true });
  const svc = t.spawner.running('com.example.daemon');
  checkIn(svc, listenerRequirement);
  return { ...t, client, svc, ptr: ptrOf(t.rec, client.pid!, 'com.example.daemon') };
}

describe('peer requirements use the real signature (XPC-MODEL §1.5, §10.5)', () => {
  it('a CN pin on GetSentry’s Developer ID certificate lets the client in', () => {
    const { svc } = connect(
      'anchor apple generic and certificate leaf[subject.CN] = "Developer ID Application: GetSentry LLC (97JCY7859U)"',
    );
    expect(svc.of('message')).toHaveLength(1);
  });

  it('a failed check says which clause and which field did not match', () => {
    const { rec, ptr, svc } = connect(
      'anchor apple generic and certificate leaf[field.1.2.840.113635.100.6.1.9] /* exists */',
    );
    expect(svc.of('message')).toEqual([]);
    const invalid = rec.of('connection.state').find((e) => e.conn === ptr && e.to === 'invalidated');
    expect(JSON.stringify(invalid)).toContain(
      'certificate leaf[field.1.2.840.113635.100.6.1.9] /* exists */ (the leaf (\\"Developer ID Application: GetSentry LLC (97JCY7859U)\\") does not carry 1.2.840.113635.100.6.1.9)',
    );
  });

  it('the spawn event carries the signature for the console', () => {
    const { rec } = connect('anchor apple generic');
    const spawn = rec.of('process.spawn').find((e) => e.label === 'io.sentry.cli');
    expect(spawn?.signature).toMatchObject({
      identifier: 'sentry_cli-ed605fe0983d3ac0',
      teamId: '97JCY7859U',
    });
  });

  it('a pasted designated => requirement is applied, with an info diagnostic saying the prefix was removed', () => {
    const t = setup([signedClient(), job('com.example.daemon')]);
    const client = t.spawner.running('io.sentry.cli');
    client.say({
      t: 'connect',
      conn: 'c1',
      name: 'com.example.daemon',
      privileged: false,
      requirement: 'designated => anchor apple',
    });
    client.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'status' }, expectsReply: true });
    const notes = t.rec.of('diagnostic').filter((d) => d.message.includes('designated =>'));
    expect(notes).toEqual([
      expect.objectContaining({ severity: 'info', message: expect.stringContaining(DESIGNATED_HINT) }),
    ]);
  });
});
