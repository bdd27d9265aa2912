/**
 * The signals patch: `process.on('SIGINT' | 'SIGTERM' | ..., handler)` handlers run through
 * the hub loop's signal watchers.
 *
 * After `patchSignals()`, a handler added for a signal event with `process.on`,
 * `addListener`, `prependListener`, `once` or `prependOnceListener` is registered on
 * `process` inside a small wrapper (its `.listener` is the handler, as with Node's own
 * `once` wrappers: `process.listeners(sig)`, `listenerCount`, `off(sig, handler)` and
 * `removeListener` see the handler). When the signal arrives:
 *
 * 1. Node emits it; each wrapper records its handler and arguments (a `once` one removes
 *    itself first), and the first feeds the loop's signal watcher for that signal;
 * 2. in the loop's next iteration the watcher's callback hands the handlers, in order, to
 *    the delivery queue (deliver.ts): each runs in main, one Node macrotask each,
 *    `this` = process, with Node's arguments ('SIGINT', 2); an error it throws is an
 *    uncaught exception, as in Node.
 *
 * So signals are seen in the loop's order, with everything else the hub runs, and nothing
 * about process exit changes: as in Node, a handler replaces the default action (exit on
 * SIGINT), and signal handlers never keep the process alive. `process.emit('SIGINT')`
 * called by code runs the handlers through the loop too (later, not inside `emit`).
 *
 * Needs a hub with OS events (the Node backend): on a virtual hub the patch is not applied.
 * SIGKILL and SIGSTOP are left to Node (it refuses them). Handlers added before patching
 * stay Node's (the late-patching warning lists them). `unpatchAll()` turns every wrapper
 * back into the plain handler, in place.
 */
import { constants } from 'node:os';
import { SIGNAL, type Signal } from '@g/ev';
import type { Hub } from '@g/hub';
import { type Deliverable, deliver } from './deliver.js';
import { MonkeyPatchWarning } from './errors.js';
import { loopOf, patchBackend, patchHub, startHub } from './hub-ref.js';
import { queueWarning } from './late.js';
import { applyPatch } from './patch-core.js';
import { patchItem } from './registry.js';
import { STATE } from './state.js';

const SIGNALS = constants.signals as Record<string, number>;
const WRAPPER = Symbol.for('@g/monkey.signalListener');

type Handler = (...args: any[]) => void;

interface SignalWrapper {
  (...args: any[]): void;
  listener: Handler;
  [WRAPPER]: { once: boolean };
}

/** True for the event names the patch routes: Node's signal names but SIGKILL and SIGSTOP. */
export function isRoutedSignal(event: unknown): event is string {
  return (
    typeof event === 'string' &&
    Object.hasOwn(SIGNALS, event) &&
    event !== 'SIGKILL' &&
    event !== 'SIGSTOP'
  );
}

/** True for a listener the patch installed. */
export function isSignalWrapper(fn: unknown): fn is SignalWrapper {
  return typeof fn === 'function' && (fn as any)[WRAPPER] !== undefined;
}

interface Route {
  hub: Hub;
  watcher: Signal;
  queue: Array<[Handler, unknown[]]>;
}

const routes = new WeakMap<Hub, Map<string, Route>>();

class HandlerCall implements Deliverable {
  constructor(
    private readonly handler: Handler,
    private readonly args: unknown[],
  ) {}
  deliver(): void {
    this.handler.apply(process, this.args);
  }
}

function onSignal(w: Signal): void {
  const route = w.data as Route;
  const items = route.queue.splice(0);
  for (const [handler, args] of items) deliver(route.hub, new HandlerCall(handler, args), 0);
}

function routeFor(signal: string): Route {
  const hub = patchHub();
  let m = routes.get(hub);
  if (m === undefined) routes.set(hub, (m = new Map()));
  let r = m.get(signal);
  if (r === undefined) {
    // Never started: Node's emit is the source, the patch feeds the watcher.
    const watcher = loopOf(hub).signal(signal, false);
    r = { hub, watcher, queue: [] };
    watcher.data = r;
    watcher.callback = onSignal;
    m.set(signal, r);
  }
  return r;
}

function received(signal: string, handler: Handler, args: unknown[]): void {
  const r = routeFor(signal);
  r.queue.push([handler, args]);
  if (r.queue.length === 1) {
    // A parked hub is woken by the fed event (even with nothing keeping the loop alive).
    loopOf(r.hub).feedEvent(r.watcher, SIGNAL);
    startHub(r.hub);
  }
}

function makeWrapper(signal: string, handler: Handler, once: boolean): SignalWrapper {
  const w = function signalListener(...args: unknown[]): void {
    if (once) process.removeListener(signal, w);
    received(signal, handler, args);
  } as SignalWrapper;
  w.listener = handler;
  w[WRAPPER] = { once };
  return w;
}

const EMITTER_METHODS = [
  ['on', false, false],
  ['addListener', false, false],
  ['prependListener', true, false],
  ['once', false, true],
  ['prependOnceListener', true, true],
] as const;

/** The modules the signals patch changes. */
export const SIGNAL_MODULES = ['process'] as const;

export interface PatchSignalsOptions {
  /** The hub to run on (default: the hub of earlier patches, or the default hub). */
  hub?: Hub;
}

/** Applies the signals patch (see the module comment). False when vetoed or not applicable. */
export function patchSignals(options: PatchSignalsOptions = {}): boolean {
  return signalsPatch(options, false);
}

/** @internal patchSignals; `quiet`: no warning on a virtual hub (patchAll's default). */
export function signalsPatch(options: PatchSignalsOptions, quiet: boolean): boolean {
  const backend = options.hub !== undefined ? options.hub.loop.backend : patchBackend();
  if (backend !== 'node') {
    if (!quiet) {
      process.emitWarning(
        new MonkeyPatchWarning(
          '@g/monkey: the signals patch needs a hub with OS events (the Node backend); the ' +
            "patches run on a virtual hub, so process.on('SIG...') handlers stay Node's",
        ),
      );
    }
    return false;
  }
  return applyPatch('signals', true, options.hub, SIGNAL_MODULES, () => {
    const before = nativeSignalListeners();
    if (before.length > 0) {
      queueWarning(
        '@g/monkey: signal handlers were added before the signals patch; they stay ' +
          "Node's and do not run through the hub's loop. Patch earlier.",
        before,
      );
    }
    const proc = process as any;
    const add = proc.on as (...a: any[]) => any;
    const prepend = proc.prependListener as (...a: any[]) => any;
    for (const [name, front, once] of EMITTER_METHODS) {
      const original = proc[name] as (...a: any[]) => any;
      const base = front ? prepend : add;
      const patched = function (this: unknown, event: unknown, listener: unknown): unknown {
        if (this !== process || !isRoutedSignal(event) || typeof listener !== 'function') {
          // biome-ignore lint/complexity/noArguments: forward exactly what was given
          return original.apply(this, arguments as any);
        }
        base.call(process, event, makeWrapper(event, listener as Handler, once));
        return this;
      };
      Object.defineProperty(patched, 'name', { value: name });
      patchItem('process', name, patched);
    }
    STATE.undo.push(unwrapAll);
  });
}

/**
 * Puts every wrapper back as the plain handler, keeping the order (run by unpatchAll after
 * the originals of process.on/once are back).
 */
function unwrapAll(): void {
  for (const event of process.eventNames()) {
    if (!isRoutedSignal(event)) continue;
    const raw = process.rawListeners(event);
    if (!raw.some(isSignalWrapper)) continue;
    process.removeAllListeners(event);
    for (const l of raw) {
      if (isSignalWrapper(l)) {
        if (l[WRAPPER].once) process.once(event, l.listener);
        else process.on(event, l.listener);
      } else process.on(event, l as Handler);
    }
  }
}

/** @internal Signal events with handlers added before the patch (for the late warning). */
export function nativeSignalListeners(): string[] {
  const out: string[] = [];
  for (const event of process.eventNames()) {
    if (!isRoutedSignal(event)) continue;
    const n = process.rawListeners(event).filter((l) => !isSignalWrapper(l)).length;
    if (n > 0) out.push(`process.on('${event}') x${n}`);
  }
  return out;
}
