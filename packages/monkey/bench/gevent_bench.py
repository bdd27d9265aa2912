"""gevent peers of bench/cases.mjs, after gevent.monkey.patch_all().

usage: python3 gevent_bench.py <case> <n> <repeats> <warmup>
prints one JSON line: {"times": [seconds...], "extra": {"version": ...}}
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402


def immediate_chain(n):
    # gevent's setImmediate: loop.run_callback, each callback scheduling the next.
    loop = gevent.get_hub().loop
    done = gevent.event.Event()
    left = [n]

    def step():
        left[0] -= 1
        if left[0] == 0:
            done.set()
        else:
            loop.run_callback(step)

    loop.run_callback(step)
    done.wait()


def fanout(n):
    # N greenlets each sleeping 1..10 ms with the monkey-patched time.sleep.
    def sleeper(i):
        time.sleep((1 + i % 10) / 1000)

    gevent.joinall([gevent.spawn(sleeper, i) for i in range(n)])


def promise_sleeps(n):
    # N concurrent 1 ms sleeps (gevent's closest: N greenlets sleeping 1 ms).
    gevent.joinall([gevent.spawn(time.sleep, 0.001) for _ in range(n)])


CASES = {
    'immediateChain': immediate_chain,
    'fanout': fanout,
    'promiseSleeps': promise_sleeps,
}


def main():
    import gevent.event  # noqa: F401

    case, n, repeats, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    fn = CASES[case]
    times = []
    for r in range(warmup + repeats):
        t0 = time.perf_counter()
        fn(n)
        dt = time.perf_counter() - t0
        if r >= warmup:
            times.append(dt)
    print(json.dumps({'times': times, 'extra': {'version': gevent.__version__}}))


main()
