/**
 * Cooperative replacements for the common blocking calls: Ops a greenlet runs with
 * `yield*` while the hub and the other greenlets go on.
 *
 * ```ts
 * const text = yield* readFile('config.json', 'utf8');     // not fs.readFileSync
 * const { stdout } = yield* exec('git rev-parse HEAD');   // not execSync
 * ```
 *
 * Each wraps Node's asynchronous API (`fs.promises`, `child_process.exec`/`execFile`) in
 * @g/hub's `until()`: the work runs in libuv's thread pool or a child process, the
 * greenlet waits, a kill or a Timeout ends the wait (the operation itself goes on, its
 * result is dropped). Errors are Node's (ENOENT, a non-zero exit code with `stdout` and
 * `stderr` on the error, ...). DNS: @g/hub's `lookup`, `lookupAll` and `resolve`. CPU-heavy
 * work (zlib, crypto on large inputs): @g/hub's `threadpool`.
 */

import type { ExecFileOptions, ExecOptions } from 'node:child_process';
import { exec as execCb, execFile as execFileCb } from 'node:child_process';
import type { Mode, ObjectEncodingOptions, PathLike, RmOptions, StatOptions, Stats } from 'node:fs';
import { promises as fsp } from 'node:fs';
import type { Op } from '@g/greenlet';
import { until } from '@g/hub';

/** `fs.promises.readFile`, waited on: a Buffer, or a string with an encoding. */
export function readFile(path: PathLike | number, options?: null): Op<Buffer>;
export function readFile(
  path: PathLike | number,
  options: BufferEncoding | { encoding: BufferEncoding; flag?: string },
): Op<string>;
export function readFile(path: PathLike | number, options?: any): Op<string | Buffer>;
export function readFile(path: PathLike | number, options?: any): Op<string | Buffer> {
  return until(fsp.readFile(path as any, options));
}

/** `fs.promises.writeFile`, waited on. */
export function writeFile(
  path: PathLike | number,
  data: string | NodeJS.ArrayBufferView,
  options?: BufferEncoding | (ObjectEncodingOptions & { mode?: Mode; flag?: string }) | null,
): Op<void> {
  return until(fsp.writeFile(path as any, data, options));
}

/** `fs.promises.appendFile`, waited on. */
export function appendFile(
  path: PathLike | number,
  data: string | Uint8Array,
  options?: BufferEncoding | (ObjectEncodingOptions & { mode?: Mode; flag?: string }) | null,
): Op<void> {
  return until(fsp.appendFile(path as any, data, options));
}

/** `fs.promises.readdir` (names), waited on. */
export function readdir(path: PathLike, options?: { recursive?: boolean }): Op<string[]> {
  return until(fsp.readdir(path, { encoding: 'utf8', ...options }) as Promise<string[]>);
}

/** `fs.promises.stat`, waited on. */
export function stat(path: PathLike, options?: StatOptions): Op<Stats> {
  return until(fsp.stat(path, options) as Promise<Stats>);
}

/** `fs.promises.lstat`, waited on. */
export function lstat(path: PathLike, options?: StatOptions): Op<Stats> {
  return until(fsp.lstat(path, options) as Promise<Stats>);
}

/** Whether `path` exists (`fs.promises.access`), waited on. */
export function exists(path: PathLike): Op<boolean> {
  return until(
    fsp.access(path).then(
      () => true,
      () => false,
    ),
  );
}

/** `fs.promises.mkdir`, waited on (the first directory made with `recursive`). */
export function mkdir(
  path: PathLike,
  options?: Mode | { recursive?: boolean; mode?: Mode },
): Op<string | undefined> {
  return until(fsp.mkdir(path, options as any) as Promise<string | undefined>);
}

/** `fs.promises.rm`, waited on. */
export function rm(path: PathLike, options?: RmOptions): Op<void> {
  return until(fsp.rm(path, options));
}

/** What exec and execFile return. */
export interface ExecResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` in a shell (`child_process.exec`) and waits for it: its output as
 * strings, or the error (a non-zero exit: `code`, `stdout` and `stderr` on the error).
 */
export function exec(command: string, options: ExecOptions = {}): Op<ExecResult> {
  return until(
    new Promise<ExecResult>((resolve, reject) => {
      execCb(command, { ...options, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      });
    }),
  );
}

/** Runs `file` with `args` (`child_process.execFile`, no shell) and waits for it. */
export function execFile(
  file: string,
  args: readonly string[] = [],
  options: ExecFileOptions = {},
): Op<ExecResult> {
  return until(
    new Promise<ExecResult>((resolve, reject) => {
      execFileCb(file, args, { ...options, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      });
    }),
  );
}
