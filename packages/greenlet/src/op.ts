/**
 * Ops: what a greenlet body runs with `yield*`.
 *
 * An `Op<T>` is any iterable whose iterator returns a `T`: `const v = yield* op`. Ops are
 * lazy: nothing happens until the body runs them with `yield*`, and an Op runs once.
 *
 * ## The switch op (the hot path)
 *
 * `g.switch(x)` inside a body does not allocate. Every greenlet owns one reusable
 * {@link SwitchOp} (made at its first switch); `switch()` arms it with (target, kind,
 * value) and returns it. `yield*`
 * then calls its `next()`, which yields the op itself to the trampoline: that is the
 * instruction "switch to target with value". When the trampoline later resumes this
 * greenlet with `gen.next(v)`, V8 passes `v` down the `yield*` chain to the op's `next(v)`,
 * which returns `{ done: true, value: v }`: the value of the `yield*` expression. Both
 * results are module-level objects reused by every switch.
 *
 * A greenlet has at most one suspension at a time, so one op per greenlet is enough. Its
 * state tells the three calls of `next()` apart:
 *
 *   IDLE --switch()--> ARMED --next() yields--> SUSPENDED --next(v) returns v--> IDLE
 *
 * `throw()` and `return()` of the iterator (the trampoline's `gen.throw(e)` and
 * `gen.return(v)` routed down by V8) also go back to IDLE.
 *
 * A `switch()` that finds its op still ARMED means the previous switch was never run:
 * someone forgot `yield*`. That is reported at once, with the fix in the message.
 *
 * ## Other ops and the forgotten-`yield*` check
 *
 * Ops of other packages (`join`, `get`, `sleep`, ...) are generators. {@link trackOp}
 * wraps one so that creating it counts on the current greenlet and starting it
 * (`yield*` calls `[Symbol.iterator]`) uncounts it. The trampoline checks the count at the
 * greenlet's next suspension and at its end: an Op created and not run by then is an
 * error thrown into the greenlet, naming the call. A tracked Op runs only in the greenlet
 * that made it: starting it in another one is an error too.
 */
import { GreenletError } from './errors.js';
import { RT } from './runtime.js';

/** An operation run with `yield*` inside a greenlet body; its result is `T`. */
export interface Op<T> {
  [Symbol.iterator](): Iterator<unknown, T, any>;
}

export const IDLE = 0;
export const ARMED = 1;
export const SUSPENDED = 2;

/** Instruction kinds: resume the target with next(value), throw(value) or return(value). */
export const K_SWITCH = 0;
export const K_THROW = 1;
export const K_RETURN = 2;

const OP_BRAND = Symbol.for('@g/SwitchOp');

/** Owner fields the ops touch (Greenlet implements them). */
export interface OpOwner {
  _unrun: number;
  _unrunName: string | null;
}

/** Bits of {@link SwitchOp.instr} above the kind: how many arguments the switch carries. */
export const ARGS_ONE = 4;
export const ARGS_MANY = 8;

const NAMES = ['g.switch', 'g.throw', 'g.unwind'];

/** Bits of {@link SwitchOp.instr} from here up: a label set by {@link labelSwitchOp}. */
const LABEL_SHIFT = 4;

/**
 * Labels of switch ops made by other packages' fast paths (`sleep` returns the greenlet's
 * switch op itself): index 0 means "no label". Shared by every loaded copy, through the
 * runtime object, so an index means the same label in all of them.
 */
const LABELS: string[] = ((RT.ext['@g/greenlet:labels'] as string[] | undefined) ??= ['']);

/**
 * Names the armed switch op `op` (returned by `g.switch()` inside a body) after the call
 * that made it, e.g. 'sleep', for the forgotten-`yield*` messages. For packages whose
 * blocking calls return a greenlet's switch op directly instead of a generator. Costs an
 * array lookup; the label is dropped when the op is armed again.
 */
export function labelSwitchOp(op: unknown, label: string): void {
  if (!isSwitchOp(op)) return;
  let i = LABELS.indexOf(label);
  if (i < 0) {
    i = LABELS.length;
    LABELS.push(label);
  }
  op.instr = (op.instr & ((1 << LABEL_SHIFT) - 1)) | (i << LABEL_SHIFT);
}

/**
 * The two iterator results every switch op returns, reused: V8 reads `done` and `value` of
 * the result as soon as `next()` returns (a `yield*` passes a not-done result up unchanged
 * to the trampoline, which reads it at once), so one object of each kind is enough and a
 * switch allocates nothing. The trampoline clears {@link DONE}'s value after each resume so
 * that it keeps nothing alive.
 */
export const DONE: { done: true; value: any } = { done: true, value: undefined };
const YIELDED: { done: false; value: any } = { done: false, value: undefined };

/**
 * A greenlet's reusable switch instruction. Four fields, so that a suspended greenlet costs
 * as little heap as possible: `state`, `instr` (kind and argument count), `target`, `value`.
 * The op belongs to the greenlet whose `_op` it is.
 */
export class SwitchOp {
  declare readonly [OP_BRAND]: true;
  /** IDLE, ARMED or SUSPENDED. */
  state = IDLE;
  /**
   * The instruction: K_SWITCH, K_THROW or K_RETURN in the low two bits, plus ARGS_ONE or
   * ARGS_MANY when the switch carries one argument or several (`value` is then an array).
   */
  instr = K_SWITCH;
  /** The greenlet to resume while ARMED or SUSPENDED; null otherwise. */
  target: any = null;
  /** The value (or error) to deliver while ARMED or SUSPENDED. */
  value: any = undefined;

  /** K_SWITCH, K_THROW or K_RETURN. */
  get kind(): number {
    return this.instr & 3;
  }

  /** 0, 1, or 2 for "more than one" (`value` is then an array of them). */
  get argc(): number {
    return (this.instr >> 2) & 3;
  }

  /** Name of the call that armed the op, for error messages. */
  get name(): string {
    const label = this.instr >> LABEL_SHIFT;
    return label === 0 ? NAMES[this.instr & 3]! : LABELS[label]!;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(v?: any): IteratorResult<any, any> {
    const state = this.state;
    if (state === SUSPENDED) {
      this.state = IDLE;
      DONE.value = v;
      return DONE;
    }
    if (state === ARMED) {
      this.state = SUSPENDED;
      YIELDED.value = this;
      return YIELDED;
    }
    throw new GreenletError(
      `this ${this.name}() Op was already run: an Op runs once. Call ${this.name}() again for ` +
        'another switch.',
    );
  }

  throw(e: unknown): never {
    this.state = IDLE;
    throw e;
  }

  return(v?: any): IteratorResult<any, any> {
    this.state = IDLE;
    return { done: true, value: v };
  }
}
Object.defineProperty(SwitchOp.prototype, OP_BRAND, { value: true });

export function isSwitchOp(x: unknown): x is SwitchOp {
  return x !== null && typeof x === 'object' && (x as any)[OP_BRAND] === true;
}

/** A generator op counted on its creator until it is started. See {@link trackOp}. */
class TrackedOp<T> implements Op<T> {
  private inner: Iterable<unknown, T, any> | null;
  private readonly owner: OpOwner;
  readonly name: string;

  constructor(inner: Iterable<unknown, T, any>, owner: OpOwner, name: string) {
    this.inner = inner;
    this.owner = owner;
    this.name = name;
  }

  [Symbol.iterator](): Iterator<unknown, T, any> {
    const inner = this.inner;
    if (inner === null) {
      throw new GreenletError(
        `this ${this.name}() Op was already run: an Op runs once. Call ${this.name}() again.`,
      );
    }
    const owner = this.owner;
    if (RT.current !== owner) {
      throw new GreenletError(
        `this ${this.name}() Op made in one greenlet was run in another: run each Op with ` +
          '`yield*` in the greenlet that made it, before that greenlet switches away.',
      );
    }
    this.inner = null;
    if (owner._unrun > 0 && --owner._unrun === 0) owner._unrunName = null;
    return inner[Symbol.iterator]();
  }
}

/**
 * Marks `op` as created by the running greenlet, so that forgetting to run it with
 * `yield*` is reported at that greenlet's next suspension (or end) with the name `name`.
 * Outside greenlet bodies (in main) it returns `op` unchanged: there, Ops run with a
 * hub's `run(op)`.
 *
 * Costs one small object per Op; no extra `yield*` level.
 */
export function trackOp<T>(op: Iterable<unknown, T, any>, name: string): Op<T> {
  if (!RT.running) return op;
  const owner = RT.current as OpOwner;
  if (owner._unrun++ === 0) owner._unrunName = name;
  return new TrackedOp(op, owner, name);
}
