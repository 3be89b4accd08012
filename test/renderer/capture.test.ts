import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../../main/trace/model';
import type { MessageEvent } from '../../main/trace/schema';
import { MatchList } from '../../renderer/capture/matches';
import { findReply, findRequest } from '../../renderer/capture/pairs';
import { CaptureView } from '../../renderer/capture/view';
import { CaptureWindow } from '../../renderer/capture/window';

const msg = (id: number, over: Partial<MessageEvent> = {}): MessageEvent => ({
  v: 1,
  seq: id,
  t: id,
  kind: 'message',
  id,
  conn: '0x1',
  from: 1,
  to: 2,
  dir: 'send',
  size: id,
  expectsReply: false,
  ...over,
});

describe('the capture window', () => {
  it('keeps the newest items, counts what it dropped, and never reuses an index', () => {
    const w = new CaptureWindow<number>(3);
    for (let i = 0; i < 5; i++) w.push(i);
    expect([w.start, w.end, w.size, w.dropped]).toEqual([2, 5, 3, 2]);
    expect([w.at(1), w.at(2), w.at(4), w.at(5)]).toEqual([undefined, 2, 4, undefined]);
    w.clear();
    w.push(9);
    expect([w.start, w.at(5), w.at(4)]).toEqual([5, 9, undefined]);
  });

  it('resizes keeping the newest and counting the rest as dropped', () => {
    const w = new CaptureWindow<number>(4);
    for (let i = 0; i < 4; i++) w.push(i);
    w.resize(2);
    expect([w.start, w.at(2), w.at(3), w.dropped]).toEqual([2, 2, 3, 2]);
    w.resize(10);
    w.push(4);
    expect([w.size, w.at(2), w.at(4)]).toEqual([3, 2, 4]);
  });
});

describe('the match list', () => {
  it('grows, trims at the front and finds positions by binary search', () => {
    const m = new MatchList();
    for (let i = 0; i < 5000; i++) m.push(i * 2);
    expect(m.length).toBe(5000);
    m.dropBefore(4001);
    expect([m.length, m.at(0), m.lowerBound(4002), m.lowerBound(4003)]).toEqual([2999, 4002, 0, 1]);
    for (let i = 0; i < 3000; i++) m.push(20_000 + i);
    expect(m.at(m.length - 1)).toBe(22_999);
  });
});

describe('a filtered, pausable view of the window', () => {
  const setup = () => {
    const w = new CaptureWindow<MessageEvent>(10);
    const view = new CaptureView(w, emptySnapshot);
    return { w, view };
  };

  it('shows everything, or what the filter lets through, including what arrives later', () => {
    const { w, view } = setup();
    for (let i = 1; i <= 6; i++) w.push(msg(i));
    view.setFilter(() => (m) => m.size % 2 === 0);
    expect(view.count).toBe(3);
    const from = w.end;
    w.push(msg(8));
    view.extend(from);
    expect([view.count, view.at(3)?.id, view.indexOf(w.end - 1), view.indexOf(0)]).toEqual([4, 8, 3, -1]);
    view.setFilter(null);
    expect(view.count).toBe(7);
  });

  it('holds its rows while paused and counts what arrived behind it', () => {
    const { w, view } = setup();
    for (let i = 1; i <= 4; i++) w.push(msg(i));
    view.pause();
    w.push(msg(5));
    expect([view.count, view.pending]).toEqual([4, 1]);
    view.resume();
    expect(view.count).toBe(5);
  });

  it('forgets matches the window dropped', () => {
    const { w, view } = setup();
    view.setFilter(() => () => true);
    const from = w.end;
    for (let i = 1; i <= 15; i++) w.push(msg(i));
    view.extend(from);
    expect([view.count, view.at(0)?.id]).toEqual([10, 6]);
  });
});

describe('request and reply pairing', () => {
  it('jumps from a request to its reply and back', () => {
    const w = new CaptureWindow<MessageEvent>(10);
    w.push(msg(1, { expectsReply: true }));
    w.push(msg(2));
    w.push(msg(3, { dir: 'reply', replyTo: 1, latencyMs: 4 }));
    expect(findReply(w, 0)).toBe(2);
    expect(findRequest(w, 2)).toBe(0);
    expect(findReply(w, 1)).toBe(-1);
  });
});
