import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../main/world/model';
import { app, checkIn, job, setup, state } from './harness';

const legacy = () =>
  job('com.example.helper', { program: '/Library/PrivilegedHelperTools/com.example.helper' });
const bundled = (over: Partial<JobSpec> = {}): JobSpec =>
  job('com.example.helper', {
    type: 'SMAppServiceDaemon',
    program: '/Applications/Example.app/Contents/MacOS/ExampleHelper',
    path: 'Applications/Example.app/Contents/Library/LaunchDaemons/com.example.helper.plist',
    ...over,
  });

describe('label collision between SMJobBless and SMAppService (XPC-MODEL §4.6)', () => {
  it('a legacy LaunchDaemon and an SMAppService daemon with one label: the first loaded wins, the second gets 17', () => {
    const { rec, broker } = setup([bundled(), legacy()]);
    expect(rec.of('service.register')).toMatchObject([
      { name: 'com.example.helper', label: 'com.example.helper' },
    ]);
    expect(rec.logs()).toContain('Bootstrap failed: 17: File exists');
    expect(rec.of('diagnostic').at(-1)).toMatchObject({
      file: bundled().path,
      message: expect.stringMatching(/already loaded in system from Library\/LaunchDaemons/),
    });
    expect(broker.namespace.get('system', 'com.example.helper')?.job.type).toBe('LaunchDaemon');
  });

  it('once the legacy job is booted out, register() loads the bundled daemon under the same label and name', () => {
    const { broker, spawner } = setup(
      [app('com.example.app'), legacy(), bundled()],
      state({ smAppService: { 'com.example.helper': 'notRegistered' }, approved: ['com.example.helper'] }),
    );
    expect(broker.smAppService.register('com.example.helper')).toMatchObject({
      ok: false,
      error: { code: 17, message: 'File exists' },
    });
    broker.launchctl.bootout('system/com.example.helper');
    expect(broker.smAppService.register('com.example.helper')).toEqual({ ok: true, status: 'enabled' });
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.helper', privileged: true });
    client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: true });
    expect(spawner.running('com.example.helper').request.label).toBe('com.example.helper');
    expect(broker.processes().find((p) => p.job.label === 'com.example.helper')?.job.type).toBe(
      'SMAppServiceDaemon',
    );
  });

  it('a running legacy instance does not serve the bundled job once both have been swapped', () => {
    const { broker, spawner, rec } = setup(
      [app('com.example.app'), legacy(), bundled()],
      state({ smAppService: { 'com.example.helper': 'notRegistered' }, approved: ['com.example.helper'] }),
    );
    const client = spawner.running('com.example.app');
    client.say({ t: 'connect', conn: 'c1', name: 'com.example.helper', privileged: false });
    client.say({ t: 'send', conn: 'c1', id: 1, body: {}, expectsReply: false });
    const old = spawner.running('com.example.helper');
    checkIn(old);
    broker.launchctl.bootout('system/com.example.helper');
    broker.smAppService.register('com.example.helper');
    client.say({ t: 'connect', conn: 'c2', name: 'com.example.helper', privileged: false });
    client.say({ t: 'send', conn: 'c2', id: 2, body: {}, expectsReply: false });
    expect(spawner.count('com.example.helper')).toBe(2);
    expect(rec.of('process.spawn').at(-1)?.program).toBe(
      '/Applications/Example.app/Contents/MacOS/ExampleHelper',
    );
  });
});

describe('SMAppService status and approval (XPC-MODEL §4.6)', () => {
  const fresh = () =>
    setup(
      [app('com.example.app'), bundled()],
      state({ smAppService: { 'com.example.helper': 'notRegistered' } }),
    );

  it('a bundled service the world does not name is .enabled and loaded', () => {
    const { broker, rec } = setup([bundled()]);
    expect(broker.smAppService.status('com.example.helper')).toBe('enabled');
    expect(rec.of('service.register')).toHaveLength(1);
  });

  it('a .notRegistered daemon is not loaded', () => {
    const { broker, rec } = fresh();
    expect(broker.smAppService.status('com.example.helper')).toBe('notRegistered');
    expect(rec.of('service.register')).toEqual([]);
  });

  it('register() fails with "Operation not permitted" until approved; the status is .requiresApproval', () => {
    const { broker, rec } = fresh();
    expect(broker.smAppService.register('com.example.helper')).toEqual({
      ok: false,
      status: 'requiresApproval',
      error: { domain: 'SMAppServiceErrorDomain', code: 1, message: 'Operation not permitted' },
    });
    expect(rec.logs()).toContain(
      'SMAppService register(com.example.helper) failed: Error Domain=SMAppServiceErrorDomain Code=1 "Operation not permitted"',
    );
    expect(rec.logs()).toContain('SMAppService(com.example.helper).status = .requiresApproval');
    expect(broker.smAppService.register('com.example.helper')).toMatchObject({
      ok: false,
      status: 'requiresApproval',
    });
    expect(rec.of('service.register')).toEqual([]);
  });

  it('approval lets the pending registration go ahead: .enabled and loaded', () => {
    const { broker, rec } = fresh();
    broker.smAppService.register('com.example.helper');
    expect(broker.smAppService.approve('com.example.helper')).toEqual({ ok: true, status: 'enabled' });
    expect(rec.of('service.register')).toMatchObject([{ name: 'com.example.helper', domain: 'system' }]);
  });

  it('an agent needs no approval', () => {
    const agent = bundled({ type: 'SMAppServiceAgent', domainKind: 'gui' });
    const { broker } = setup([agent], state({ smAppService: { 'com.example.helper': 'notRegistered' } }));
    expect(broker.smAppService.register('com.example.helper')).toEqual({ ok: true, status: 'enabled' });
  });

  it('unregister() boots the job out and sets .notRegistered', () => {
    const { broker, rec } = setup([bundled()]);
    expect(broker.smAppService.unregister('com.example.helper')).toEqual({
      ok: true,
      status: 'notRegistered',
    });
    expect(rec.of('service.unregister')).toHaveLength(1);
  });

  it('a label no bundle ships is .notFound', () => {
    const { broker } = fresh();
    expect(broker.smAppService.status('com.example.nope')).toBe('notFound');
    expect(broker.smAppService.register('com.example.nope')).toMatchObject({
      ok: false,
      status: 'notFound',
      error: { code: 8 },
    });
  });

  it('a stale disabled override blocks registration with 119', () => {
    const { broker } = setup(
      [bundled()],
      state({
        smAppService: { 'com.example.helper': 'notRegistered' },
        approved: ['com.example.helper'],
        disabled: ['system/com.example.helper'],
      }),
    );
    expect(broker.smAppService.register('com.example.helper')).toMatchObject({
      ok: false,
      error: { code: 119, message: 'Service is disabled' },
    });
  });
});
