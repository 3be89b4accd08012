import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from '../../main/helper/channel';
import type { ChannelFrame } from '../../main/helper/protocol';

const frameArb: fc.Arbitrary<ChannelFrame> = fc.record({
  t: fc.constant('m' as const),
  id: fc.nat(),
  body: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
  expectsReply: fc.boolean(),
});

describe('the channel frame reader', () => {
  it('gives the same frames however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(encodeFrame));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const reader = new FrameReader();
          const out: unknown[] = [];
          let from = 0;
          for (const to of [...points, bytes.length]) {
            const { frames: got, problem } = reader.push(bytes.subarray(from, to));
            expect(problem).toBeUndefined();
            out.push(...got);
            from = to;
          }
          expect(out).toEqual(JSON.parse(JSON.stringify(frames)));
        },
      ),
    );
  });

  it('refuses an oversized frame from its header alone, before its bytes arrive', () => {
    const reader = new FrameReader(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(50 * 1024 * 1024);
    expect(reader.push(header)).toEqual({
      frames: [],
      problem: 'a frame of 52428800 bytes exceeds the 1024-byte limit',
    });
  });

  it('reads its limit at each frame, so a helper told a larger message limit takes larger frames', () => {
    let limit = 64;
    const reader = new FrameReader(() => limit);
    const frame = encodeFrame({ t: 'm', id: 1, body: { text: 'x'.repeat(100) }, expectsReply: false });
    expect(reader.push(frame).problem).toMatch(/exceeds the 64-byte limit/);
    limit = 4096;
    expect(new FrameReader(() => limit).push(frame).frames).toHaveLength(1);
  });

  it('never throws on arbitrary bytes: each push gives frames, waits, or names a problem', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), (chunks) => {
        const reader = new FrameReader(4096);
        for (const chunk of chunks) {
          const result = reader.push(Buffer.from(chunk));
          if (result.problem) {
            expect(result.problem).toMatch(/exceeds the 4096-byte limit|not JSON/);
            return;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
