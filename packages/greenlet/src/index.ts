export { GreenletError, GreenletExit, isGreenletExit } from './errors.js';
export {
  describe,
  Greenlet,
  type GreenletRun,
  getcurrent,
  getmain,
  isGreenlet,
  type ResumeScope,
  switchCount,
} from './greenlet.js';
export { labelSwitchOp, type Op, trackOp } from './op.js';
export { gettrace, settrace, type TraceCallback, type TraceEvent } from './trace.js';
export { setRedirect } from './trampoline.js';
