import { appendFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Loop, MIN_STAT_INTERVAL, NOWAIT, STAT, type Stat } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'g-ev-stat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ev.pod "ev_stat": a real file.
describe('stat watchers', () => {
  it('read the attributes at start, then report a change with prev and attr', async () => {
    const path = join(dir, 'a.txt');
    writeFileSync(path, '');
    const loop = new Loop();
    const w = loop.stat(path, 0.05);
    expect(w.interval).toBe(MIN_STAT_INTERVAL); // raised to libev's minimum
    const seen: [number, number, number][] = [];
    w.start((s: Stat, revents) => {
      expect(revents).toBe(STAT);
      seen.push([s.prev.size, s.attr.size, s.attr.nlink]);
      if (s.attr.nlink === 0) s.stop();
      else unlinkSync(path);
    });
    expect(w.attr.size).toBe(0);
    expect(w.attr.nlink).toBe(1);
    setTimeout(() => appendFileSync(path, 'hello'), 150);
    await loop.run();
    expect(seen).toEqual([
      [0, 5, 1],
      [5, 0, 0], // deleted: all zeros, nlink 0
    ]);
  });

  it('report a path that appears; stat() reads it now', async () => {
    const path = join(dir, 'b.txt');
    const loop = new Loop();
    const w = loop.stat(path, 0.1);
    let mode = 0;
    w.start((s: Stat) => {
      mode = s.attr.mode;
      s.stop();
    });
    expect(w.attr.nlink).toBe(0);
    setTimeout(() => writeFileSync(path, 'x'), 100);
    await loop.run();
    expect(mode & 0o170000).toBe(0o100000); // a regular file
    expect(w.stat().size).toBe(1);
  });

  it('holds a reference; its polling timer does not add one', () => {
    const loop = new Loop();
    const w = loop.stat(dir, 1);
    w.start(() => {});
    expect(loop.activeCount).toBe(1);
    expect(loop.nextDeadline()).toBeLessThan(loop.now() + 1.01);
    loop.verify();
    w.stop();
    expect(loop.activeCount).toBe(0);
    expect(loop.run(NOWAIT)).toBe(false);
    expect(() => loop.stat('')).toThrow(TypeError);
  });
});
