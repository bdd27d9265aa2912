// `pnpm demo`: the main job of the workspace.
//
// When apps/demo-server exists and has a `demo` script, this builds it (with every package
// it needs) and runs its program (the package's `bin`, else the `demo` script), passing the
// arguments on: `pnpm demo --port 0 --workers 2`. Until then it builds
// @g/greenlet and runs a small greenlet program that prints greenlets switching: the
// "switch, not call" example of the README, then ping/pong.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, pnpm, ROOT } from './lib.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');

async function demoServer() {
  const dir = join(ROOT, 'apps', 'demo-server');
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (!pkg.scripts?.demo) return false;
  await build([`${pkg.name}...`]);
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  if (!bin) {
    const r = await pnpm(['--filter', pkg.name, 'run', 'demo', ...args]);
    process.exitCode = r.code;
    return true;
  }
  // The server's own program, straight from this process (no pnpm and sh in between: a
  // Ctrl-C reaches the server, which drains and exits 0, and nothing above it reports a
  // failure). Ctrl-C goes to the whole process group, so this process ignores SIGINT and
  // waits; a SIGTERM sent to this process is passed on.
  const child = spawn(process.execPath, [join(dir, bin), ...args], { cwd: dir, stdio: 'inherit' });
  const ignore = () => {};
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  const [code, signal] = await new Promise((resolve) => {
    child.on('exit', (c, s) => resolve([c, s]));
  });
  process.off('SIGINT', ignore);
  process.off('SIGTERM', forward);
  process.exitCode = code ?? (signal ? 1 : 0);
  return true;
}

async function switchExample() {
  await build(['@g/greenlet']);
  const { Greenlet, switchCount } = await import(
    pathToFileURL(join(ROOT, 'packages', 'greenlet', 'dist', 'index.js')).href
  );
  const before = switchCount();

  console.log('== switch, not call');
  // biome-ignore lint/correctness/useYield: a body may end without switching; its value goes to its parent
  const gr2 = new Greenlet(function* () {
    console.log('enter func2');
    return 'return from func2'; // goes to gr2's parent: main
  });
  const gr1 = new Greenlet(function* () {
    console.log('enter func1');
    yield* gr2.switch(); // switch, not call: nothing ever switches back here
    console.log('out func1'); // never printed
  });
  const value = gr1.switch();
  console.log(`main: gr1.switch() returned ${JSON.stringify(value)}`);
  console.log(`main: gr1.dead=${gr1.dead} (suspended in its switch to gr2), gr2.dead=${gr2.dead}`);

  console.log('== ping/pong');
  const ping = new Greenlet(function* (n) {
    for (let i = 0; i < n; i++) {
      const reply = yield* pong.switch(i); // suspend here, resume with pong's value
      console.log('ping got', reply);
    }
    return 'done'; // goes to the parent: main
  });
  const pong = new Greenlet(function* (first) {
    let x = first;
    for (;;) x = yield* ping.switch(x * 10);
  });
  console.log(`main: ping.switch(3) returned ${JSON.stringify(ping.switch(3))}`);
  console.log(`== ${switchCount() - before} switches`);
}

try {
  if (!(await demoServer())) await switchExample();
} catch (err) {
  console.error(`demo: ${err?.stack ?? err}`);
  process.exitCode = 1;
}
