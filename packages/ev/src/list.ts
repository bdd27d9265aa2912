/**
 * Active-watcher arrays (libev's prepares/checks/idles/... arrays).
 *
 * A watcher's `_active` is its 1-based position. Adding appends; removing moves the last
 * element into the hole (O(1), libev's order: the loop queues these arrays front to back).
 */

import type { Watcher } from './watcher.js';

/** Appends `w` (inactive) to `list` and activates it (takes its loop reference). */
export function listStart<W extends Watcher>(list: W[], w: W): void {
  list.push(w);
  w._activate(list.length);
}

/** Removes the active `w` from `list` and deactivates it (drops its loop reference). */
export function listStop<W extends Watcher>(list: W[], w: W): void {
  const i = w._active - 1;
  const last = list.pop()!;
  if (last !== w) {
    list[i] = last;
    last._active = i + 1;
  }
  w._deactivate();
}
