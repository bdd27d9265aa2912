import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EvError, Loop, READ, rawFdSupport, UnsupportedError, WRITE } from '../src/index.js';
import { bundleUrl, type ChildResult, finished, fixture, lineFrom } from './os-helpers.js';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const onLinuxX64 = `${process.platform}-${process.arch}` === 'linux-x64';

function startFd(mode: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [fixture('fd-child.mjs'), bundleUrl(), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

function runFd(mode: string, env: Record<string, string> = {}): Promise<ChildResult> {
  return finished(startFd(mode, env));
}

/** Checks the scenario's observations (fd-child.mjs 'scenario'); returns them. */
function checkScenario(r: ChildResult): Record<string, any> {
  expect(r.stderr).toBe('');
  // Every watcher stopped: no poll handle holds the process, it exits by itself.
  expect(r.code).toBe(0);
  expect(r.elapsed).toBeLessThan(15);
  const out = JSON.parse(r.stdout);
  expect(out.helper.available).toBe(true);
  expect(out.quietWhileEmpty).toBe(0);
  expect(out.afterWrite).toEqual([READ]);
  expect(out.whileUnread).toBe(3); // level-triggered: every iteration until read
  expect(out.read).toBe('hello');
  expect(out.afterRead).toBe(0);
  expect(out.shared).toEqual([true, true]); // two loops, one fd, one poll handle
  expect(out.writeReady).toEqual([WRITE]);
  expect(out.fillError).toBe('EAGAIN');
  expect(out.filled).toBe(true);
  expect(out.writesWhileFull).toBe(0);
  expect(out.readableWhileFull).toBe(true);
  expect(out.writableAfterDrain).toBe(true);
  expect(out.killed).toEqual([true, false]); // fd_kill: ERROR | READ | WRITE, stopped
  expect(out.active).toBe(0);
  return out;
}

// ev.pod "ev_io" on raw file descriptors, through the native helper (fd.ts, native/ev_fd.c).
describe.runIf(onLinuxX64)('io watchers on raw file descriptors (prebuilt helper)', () => {
  it('a FIFO: READ when written, level-triggered until read; WRITE while there is room; the process exits once they stop', async () => {
    const out = checkScenario(await runFd('scenario'));
    expect(out.helper.path).toMatch(/prebuilds[/\\]linux-x64[/\\]ev_fd\.node$/);
  });

  it('a referenced watcher keeps the process alive while it waits', async () => {
    const child = startFd('ref');
    const done = finished(child);
    await lineFrom(child, (l) => l === 'waiting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBe(null);
    child.kill('SIGTERM');
    expect((await done).signal).toBe('SIGTERM');
  });

  it.each(['unref', 'unref-later'])(
    'an unreferenced watcher does not keep the process alive (%s)',
    async (mode) => {
      const r = await runFd(mode);
      expect(r.stdout).toBe('waiting\n');
      expect(r.code).toBe(0);
      expect(r.elapsed).toBeLessThan(10);
    },
  );

  it('a Worker that ends with an active watcher closes its poll handle (no crash)', async () => {
    const r = await runFd('worker');
    expect(r.stdout).toBe('started\nworker exited 3\n');
    expect(r.code).toBe(0);
  });

  it('rawFdSupport() names the prebuilt helper', () => {
    const s = rawFdSupport();
    expect(s.available).toBe(true);
    expect(s.platform).toBe('linux-x64');
    expect(s.path).toBe(join(pkg, 'prebuilds', 'linux-x64', 'ev_fd.node'));
    expect(s.reason).toBe(null);
  });

  it('a regular file cannot be polled: EvError (EPERM), the watcher stays inactive', () => {
    const loop = new Loop();
    const fd = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      const w = loop.io(fd, READ);
      let err: any;
      try {
        w.start(() => {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EvError);
      expect(err.code).toBe('EPERM');
      expect(err.message).toMatch(/regular file is always ready/);
      expect(w.active).toBe(false);
      expect(loop.activeCount).toBe(0);
      loop.verify();
    } finally {
      closeSync(fd);
    }
  });

  it('an fd that Node itself watches: EvError (EEXIST) saying to watch that object', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const fd = (server as any)._handle.fd as number;
      const loop = new Loop();
      const w = loop.io(fd, READ);
      expect(() => w.start(() => {})).toThrow(/already watches this fd.*watch that object/);
      expect(w.active).toBe(false);
      expect(w.fd).toBe(fd);
      loop.verify();
    } finally {
      server.close();
    }
  });
});

describe('raw file descriptors where the helper cannot be used', () => {
  it('loop.io(fd) throws UnsupportedError naming the platform and net.Socket', async () => {
    const r = await runFd('missing', { G_EV_FD_HELPER: '/nonexistent/ev_fd.node' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.support.available).toBe(false);
    expect(out.support.reason).toMatch(/does not exist/);
    expect(out.unsupported).toBe(true);
    expect(out.message).toContain(`${process.platform}-${process.arch}`);
    expect(out.message).toMatch(/new net\.Socket\(\{ fd: \d+ \}\)/);
  });

  it('the virtual clock refuses raw fds as every io watcher (UnsupportedError)', () => {
    const loop = new Loop({ backend: 'virtual' });
    expect(() => loop.io(0, READ)).toThrow(UnsupportedError);
  });
});

// The prebuilt binary is reproducible from the source in the package.
describe('the helper rebuilt from native/ev_fd.c', () => {
  it('behaves as the prebuilt one', async (ctx) => {
    const script = join(pkg, 'scripts', 'build-native.mjs');
    const flag = process.env.G_NATIVE_BUILD;
    const can =
      flag === '1' ||
      (flag === undefined && spawnSync(process.execPath, [script, '--check']).status === 0);
    if (!can) {
      ctx.skip(
        'notice: no C compiler or Node headers (G_NATIVE_BUILD=0): the fd helper rebuild ' +
          'test is SKIPPED',
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'g-ev-native-'));
    try {
      const file = join(dir, 'ev_fd.node');
      execFileSync(process.execPath, [script, '--out', file], { encoding: 'utf8' });
      const out = checkScenario(await runFd('scenario', { G_EV_FD_HELPER: file }));
      expect(out.helper.path).toBe(file);
      const ref = checkScenario(await runFd('scenario'));
      expect({ ...out, helper: null }).toEqual({ ...ref, helper: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
