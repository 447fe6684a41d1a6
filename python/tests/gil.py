"""The GIL check the batch tests share: does another thread run during a call?"""

from __future__ import annotations

import threading
import time
from typing import Any


def ticks_during(call: Any) -> tuple[int, float, float]:
    """Runs `call` while another thread counts; returns the ticks counted during
    the call, the call's duration, and the counter's rate on its own (ticks/s)."""
    ticks = 0
    stop = False

    def count() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        time.sleep(0.05)
        rate_start, rate_ticks = time.perf_counter(), ticks
        time.sleep(0.1)
        rate = (ticks - rate_ticks) / (time.perf_counter() - rate_start)
        before, start = ticks, time.perf_counter()
        call()
        duration = time.perf_counter() - start
        during = ticks - before
    finally:
        stop = True
        counter.join()
    return during, duration, rate
