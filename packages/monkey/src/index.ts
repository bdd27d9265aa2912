export {
  type BlockingMode,
  getBlockingMode,
  type PatchBlockingOptions,
  patchBlocking,
  setBlockingMode,
} from './blocking.js';
export { type PatchClockOptions, patchClock } from './clock.js';
export {
  appendFile,
  type ExecResult,
  exec,
  execFile,
  exists,
  lstat,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from './cooperative.js';
export { type EnvSettings, settingsFromEnv } from './env.js';
export {
  AbortError,
  BlockingCallError,
  BlockingCallWarning,
  DoNotPatch,
  isBlockingCallError,
  isDoNotPatch,
  isMonkeyError,
  MonkeyError,
  MonkeyPatchWarning,
} from './errors.js';
export {
  type DidPatchAllEvent,
  type DidPatchBuiltinModulesEvent,
  type DidPatchModuleEvent,
  onPatchEvent,
  type PatchEvent,
  type PatchSettings,
  type WillPatchAllEvent,
  type WillPatchModuleEvent,
} from './events.js';
export { type PatchAllOptions, patchAll, patchModule, unpatchAll } from './patch-all.js';
export { PATCH_ORDER, type PatchName } from './patch-core.js';
export { installDefaultHub, patchFromEnv } from './preload.js';
export { patchPromises } from './promise-patch.js';
export {
  getOriginal,
  type ItemOptions,
  isModulePatched,
  isObjectPatched,
  type ModuleRef,
  patchItem,
  removeItem,
  saved,
} from './registry.js';
export { type PatchSignalsOptions, patchSignals } from './signals.js';
export { HubImmediate, HubTimeout, isHubImmediate, isHubTimeout } from './timer-objects.js';
export { type PatchTimersOptions, patchTimers } from './timers.js';
export { waitFor } from './wait-for.js';
