// The blocking-call guard and the cooperative replacements, in fresh Node processes.
import { beforeAll, describe, expect, it } from 'vitest';
import { line, runFixture } from './helpers.js';

const REPORTED = [
  'fs.readFileSync',
  'fs.readFileSync',
  'fs.writeFileSync',
  'child_process.execSync',
  'zlib.gzipSync',
  'crypto.pbkdf2Sync',
  'Atomics.wait',
  'fs.realpathSync.native',
  'fs.statSync',
];

describe('blocking patch', () => {
  let warn: any;
  let thrown: any;
  beforeAll(async () => {
    [warn, thrown] = await Promise.all([
      runFixture('blocking.mjs', ['warn']).then((r) => line(r, 'blocking')),
      runFixture('blocking.mjs', ['throw']).then((r) => line(r, 'blocking')),
    ]);
  });

  it("'warn': reports each blocking call site inside a greenlet once, naming the call, the greenlet and the cooperative alternative", () => {
    const b = warn;
    const warnings = b.warnings.filter((w: string[]) => w[0] === 'BlockingCallWarning');
    // Two readFileSync sites (the loop of three calls is one site); the call in the hub's
    // callback too; nothing for main, for require() (Node's loader) or in mode 'off'.
    expect(warnings.map((w: string[]) => w[1].split('()')[0])).toEqual(REPORTED);
    const messages = warnings.map((w: string[]) => w[1]);
    expect(messages[0]).toMatch(/inside <Greenlet[^>]*> at file:.*blocking\.mjs:\d+:\d+/);
    expect(messages[0]).toContain('Use yield* readFile(path, options) from @g/monkey');
    expect(messages[3]).toContain('Use yield* exec(command, options) from @g/monkey');
    expect(messages[4]).toContain("util.promisify(zlib.gzip)(...)), or @g/hub's threadpool");
    expect(messages[6]).toContain('Atomics.waitAsync');
    expect(messages[8]).toContain('inside <Hub #');
    // In 'warn' mode the calls run.
    expect(Object.values(b.results).filter((r) => r !== 'ran' && !Array.isArray(r))).toEqual([]);
    expect(b.written).toBe(true);
  });

  it("'throw': refuses the call with BlockingCallError before it runs", () => {
    const b = thrown;
    expect(b.results).toMatchObject({
      readFileSync: 'BlockingCallError:fs.readFileSync',
      writeFileSync: 'BlockingCallError:fs.writeFileSync',
      execSync: 'BlockingCallError:child_process.execSync',
      gzipSync: 'BlockingCallError:zlib.gzipSync',
      pbkdf2Sync: 'BlockingCallError:crypto.pbkdf2Sync',
      AtomicsWait: 'BlockingCallError:Atomics.wait',
      realpathNative: 'BlockingCallError:fs.realpathSync.native',
      inHub: 'BlockingCallError:fs.statSync',
      require: 'ran',
      off: 'ran',
    });
    expect(b.written).toBe(false);
    expect(b.warnings).toEqual([]);
  });

  it('exempts the module loader: require() inside a greenlet is not reported', () => {
    const b = thrown;
    expect(b.results.require).toBe('ran');
  });

  it('offers cooperative readFile, writeFile, stat, readdir, exists, mkdir, rm, exec and execFile', () => {
    const b = thrown;
    expect(b.results.cooperative).toEqual(['hello', 5, ['coop.txt'], true, 'coop', 'ef', false]);
  });

  it("'off' silences an installed guard; unpatchAll restores the originals (and fs.realpathSync.native)", () => {
    const b = warn;
    expect(b.results.off).toBe('ran');
    expect(b.modeAfter).toBe('off');
    expect(b.restored).toBe(true);
    expect(b.nativeProp).toBe(true);
  });
});
