// The preload entry's settings (G_MONKEY, G_MONKEY_BLOCKING, G_CLOCK).
import { describe, expect, it } from 'vitest';
import { isMonkeyError, settingsFromEnv } from '../src/index.js';

const DEFAULT = { clock: true, timers: true, signals: true, blocking: 'warn', promises: false };

describe('settingsFromEnv', () => {
  it('defaults to clock, timers, signals and blocking (warn), real clock', () => {
    expect(settingsFromEnv({})).toEqual({ patches: DEFAULT, clock: 'node', named: [] });
    expect(settingsFromEnv({ G_MONKEY: 'default' }).patches).toEqual(DEFAULT);
  });

  it('takes an exact list, all, none, additions and removals', () => {
    expect(settingsFromEnv({ G_MONKEY: 'timers,signals,promises,blocking' }).patches).toEqual({
      clock: false,
      timers: true,
      signals: true,
      blocking: 'warn',
      promises: true,
    });
    expect(settingsFromEnv({ G_MONKEY: 'all' }).patches).toEqual({ ...DEFAULT, promises: true });
    expect(settingsFromEnv({ G_MONKEY: 'none' }).patches).toEqual({
      clock: false,
      timers: false,
      signals: false,
      blocking: false,
      promises: false,
    });
    expect(settingsFromEnv({ G_MONKEY: '-signals' }).patches).toEqual({
      ...DEFAULT,
      signals: false,
    });
    expect(settingsFromEnv({ G_MONKEY: 'default, promises' }).patches).toEqual({
      ...DEFAULT,
      promises: true,
    });
  });

  it('G_MONKEY_BLOCKING sets the mode; off leaves the guard out', () => {
    expect(settingsFromEnv({ G_MONKEY_BLOCKING: 'throw' }).patches.blocking).toBe('throw');
    expect(settingsFromEnv({ G_MONKEY_BLOCKING: 'off' }).patches.blocking).toBe(false);
  });

  it('G_CLOCK=virtual brings the clock patch with the timers patch unless -clock', () => {
    expect(settingsFromEnv({ G_CLOCK: 'virtual', G_MONKEY: 'timers' })).toEqual({
      patches: { clock: true, timers: true, signals: false, blocking: false, promises: false },
      clock: 'virtual',
      named: ['timers'],
    });
    expect(settingsFromEnv({ G_CLOCK: 'virtual', G_MONKEY: 'default,-clock' }).patches.clock).toBe(
      false,
    );
    expect(settingsFromEnv({ G_CLOCK: 'node' }).clock).toBe('node');
  });

  it('refuses unknown values with a MonkeyError naming what is allowed', () => {
    for (const env of [
      { G_MONKEY: 'timers,sockets' },
      { G_MONKEY_BLOCKING: 'loud' },
      { G_CLOCK: 'fast' },
    ]) {
      let err: unknown;
      try {
        settingsFromEnv(env);
      } catch (e) {
        err = e;
      }
      expect(isMonkeyError(err)).toBe(true);
      expect(String(err)).toMatch(/use /);
    }
  });
});
