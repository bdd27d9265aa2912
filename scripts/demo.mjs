// `pnpm demo`: the main job of the workspace.
//
// When apps/demo-server exists and has a `demo` script, this builds it (with every package
// it needs) and runs that script, passing the arguments on. Until then it builds
// @g/greenlet and runs a small greenlet program that prints greenlets switching: the
// "switch, not call" example of the README, then ping/pong.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, pnpm, ROOT } from './lib.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');

async function demoServer() {
  const file = join(ROOT, 'apps', 'demo-server', 'package.json');
  if (!existsSync(file)) return false;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (!pkg.scripts?.demo) return false;
  await build([`${pkg.name}...`]);
  const r = await pnpm(['--filter', pkg.name, 'run', 'demo', ...args]);
  process.exitCode = r.code;
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
