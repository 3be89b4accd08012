import { Broker } from '../../main/broker/broker';
import { type JobSpec, type WorldState, WorldStateSchema } from '../../main/world/model';
import { app, FakeClock, type FakeProcess, FakeSpawner, job, Recorder, reply, world } from '../support/fakes';

export function state(partial: Partial<WorldState>): WorldState {
  return WorldStateSchema.parse(partial);
}

/** A started broker over fake processes and a fake clock. */
export function setup(jobs: JobSpec[], worldState?: WorldState) {
  const spawner = new FakeSpawner();
  const clock = new FakeClock();
  const rec = new Recorder();
  const w = { ...world(jobs), ...(worldState ? { state: worldState } : {}) };
  const broker = new Broker({ world: w, spawner, clock, emit: rec.emit });
  broker.start();
  return { broker, spawner, clock, rec };
}

export type Setup = ReturnType<typeof setup>;

/** The pointer the broker gave a connection, found by owner pid, name (a peer's without its `.0x…` tail) and side. */
export function ptrOf(rec: Recorder, pid: number, name: string, side = 'client'): string {
  const named = (n: string) => n === name || (side === 'peer' && n.startsWith(`${name}.0x`));
  const e = rec.of('connection.state').find((s) => s.pid === pid && named(s.name) && s.side === side);
  if (!e) throw new Error(`no ${side} connection to ${name} from ${pid}`);
  return e.conn;
}

/** The helper checks in every name it was told about, as the `reply` behaviour does. */
export function checkIn(p: FakeProcess, requirement?: string): void {
  const init = p.of('init')[0];
  for (const [i, name] of (init?.machServices ?? []).entries()) {
    p.say({ t: 'checkIn', listener: `l${i + 1}`, name, ...(requirement ? { requirement } : {}) });
  }
}

/** Answers the newest request the process has received. */
export function answer(p: FakeProcess, body: Record<string, unknown> = { ok: true }): void {
  const m = p.of('message').at(-1);
  if (!m) throw new Error('no request to answer');
  p.say({ t: 'reply', conn: m.conn, to: m.id, id: m.id + 1000, body });
}

/** An app, a service job and a first request from the app that launched and reached it. */
export function connected(service: JobSpec, extra: JobSpec[] = [], worldState?: WorldState) {
  const client = service.ownerLabel ? undefined : app('com.example.app');
  const t = setup([...(client ? [client] : []), ...extra, service], worldState);
  const appProc = t.spawner.running(service.ownerLabel ?? 'com.example.app');
  appProc.say({ t: 'connect', conn: 'c1', name: service.machServices[0]!.name, privileged: false });
  appProc.say({ t: 'send', conn: 'c1', id: 1, body: { selector: 'hello' }, expectsReply: true });
  const svc = t.spawner.running(service.label);
  checkIn(svc);
  return { ...t, client: appProc, svc, ptr: ptrOf(t.rec, appProc.pid!, service.machServices[0]!.name) };
}

export { app, job, reply };
