"""CPython greenlet peer of bench/cases.mjs (run by run.mjs with /usr/bin/python3).

Prints one JSON object: {"version": ..., "python": ..., "cases": {name: {"unit", "samples"}}}.
Same shapes as the JS cases: depth = helper functions between the greenlet's run and the
switch; "persistent" keeps them on the greenlet's stack across switches, "re-created" calls a
fresh chain for every switch. Memory uses tracemalloc (Python heap, including greenlet's
saved stack slices, which it allocates with PyMem).
"""

import gc
import json
import sys
import time
import tracemalloc

import greenlet
from greenlet import getcurrent

WARMUP = int(sys.argv[1]) if len(sys.argv) > 1 else 1
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ONLY = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else None
M = 1_000_000


class Timer:
    """Wall-clock and process CPU time of one timed section (as bench/cases.mjs)."""

    cpu = 0

    def start(self):
        self.cpu0 = time.process_time_ns()
        return time.perf_counter_ns()

    def stop(self, t0):
        wall = time.perf_counter_ns() - t0
        Timer.cpu = time.process_time_ns() - self.cpu0
        return wall


timer = Timer()


def sample(once):
    wall = []
    cpu = []
    for r in range(WARMUP + REPEATS):
        ns, ops = once()
        if r >= WARMUP:
            wall.append(ns / ops)
            cpu.append(Timer.cpu / ops)
    return {"wall": wall, "cpu": cpu}


def loop_at(depth, other, n):
    if depth > 1:
        return loop_at(depth - 1, other, n)
    for i in range(n):
        other().switch(i)


def switch_at(depth, other, v):
    if depth > 1:
        return switch_at(depth - 1, other, v)
    return other.switch(v)


def ping_pong(depth, rounds, recreate):
    peers = {}

    def body(name):
        other_name = "pong" if name == "ping" else "ping"
        if recreate:
            def run(*_):
                other = peers[other_name]
                for i in range(rounds):
                    switch_at(depth, other, i)
        elif depth == 0:
            def run(*_):
                other = peers[other_name]
                for i in range(rounds):
                    other.switch(i)
        else:
            def run(*_):
                loop_at(depth, lambda: peers[other_name], rounds)
        return run

    peers["ping"] = greenlet.greenlet(body("ping"))
    peers["pong"] = greenlet.greenlet(body("pong"))
    t0 = timer.start()
    peers["ping"].switch()
    ns = timer.stop(t0)
    # Let pong finish so that nothing stays suspended between repeats.
    peers["pong"].throw()
    return ns, 2 * rounds


def add(a, b):
    return a + b


def create_shared(n):
    total = 0
    t0 = timer.start()
    for i in range(n):
        total += greenlet.greenlet(add).switch(i, 1)
    ns = timer.stop(t0)
    assert total == n * (n + 1) // 2
    return ns, n


def create_closure(n):
    total = 0
    t0 = timer.start()
    for i in range(n):
        def run(i=i):
            return i + 1
        total += greenlet.greenlet(run).switch()
    ns = timer.stop(t0)
    assert total == n * (n + 1) // 2
    return ns, n


def suspended_bytes(n):
    main = getcurrent()

    def body(i):
        main.switch()
        return i

    out = []
    for r in range(WARMUP + REPEATS):
        keep = [None] * n
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            g = greenlet.greenlet(body)
            g.switch(i)
            keep[i] = g
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        if r >= WARMUP:
            out.append((after - before) / n)
        del keep
    return {"bytes": out}


CASES = {
    "switch-d0": lambda: sample(lambda: ping_pong(0, M // 2, False)),
    "switch-d1": lambda: sample(lambda: ping_pong(1, M // 2, False)),
    "switch-d5": lambda: sample(lambda: ping_pong(5, M // 2, False)),
    "switch-d20": lambda: sample(lambda: ping_pong(20, M // 5, False)),
    "switch-d1-recreated": lambda: sample(lambda: ping_pong(1, M // 2, True)),
    "switch-d5-recreated": lambda: sample(lambda: ping_pong(5, M // 4, True)),
    "switch-d20-recreated": lambda: sample(lambda: ping_pong(20, M // 10, True)),
    # Starting and ending a greenlet costs tens of microseconds here (CPython 3.11 gives each
    # new greenlet a fresh data-stack chunk: one mmap and one munmap), so fewer per repeat.
    "create-shared": lambda: sample(lambda: create_shared(M // 20)),
    "create-closure": lambda: sample(lambda: create_closure(M // 20)),
    "memory-shared": lambda: suspended_bytes(M // 50),
}

results = {}
for name, run in CASES.items():
    if ONLY is not None and name not in ONLY:
        continue
    results[name] = run()

print(json.dumps({
    "version": greenlet.__version__,
    "python": sys.version.split()[0],
    "cases": results,
}))
