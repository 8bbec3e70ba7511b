"""Delayed state transitions: AWS-typical durations times the lab's time scale, applied by one worker thread.

Each job runs under state.LOCK; a job returns the ApiEvent(s) it caused so that mutation listeners hear about
transitions (pending -> available, deleting -> deleted, ...) the moment they happen.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable

from . import hooks
from .state import LOCK

LOG = logging.getLogger(__name__)
Job = Callable[[], Iterable[hooks.ApiEvent] | hooks.ApiEvent | None]


class Scheduler:
    def __init__(self, time_scale: float = 0.0) -> None:
        self.time_scale = time_scale
        self._heap: list[tuple[float, int, int, Job]] = []
        self._counter = itertools.count()
        self._generation = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._paused = False
        self._running = 0

    def scaled(self, aws_seconds: float) -> float:
        return max(0.0, aws_seconds * self.time_scale)

    def after(self, aws_seconds: float, job: Job) -> None:
        """Run job once aws_seconds (AWS-typical duration) times the time scale have passed."""
        due = time.monotonic() + self.scaled(aws_seconds)
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._counter), self._generation, job))
            self._ensure_thread()
            self._cond.notify()

    def cancel_all(self) -> None:
        with self._cond:
            self._heap.clear()
            self._generation += 1

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._running

    def pause(self) -> None:
        """Hold every transition until resume() (or step()): lets tests observe intermediate states."""
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def step(self) -> bool:
        """Run the earliest scheduled transition now, whatever its due time. False when none is scheduled."""
        with self._cond:
            while self._heap:
                _, _, generation, job = heapq.heappop(self._heap)
                if generation == self._generation:
                    break
            else:
                return False
            self._running += 1
        try:
            self._execute(job)
        finally:
            with self._cond:
                self._running -= 1
        return True

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._heap.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._stopping = False
        self._paused = False

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="awslab-scheduler", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (
                    self._paused or not self._heap or self._heap[0][0] > time.monotonic()
                ):
                    timeout = None if self._paused or not self._heap else self._heap[0][0] - time.monotonic()
                    self._cond.wait(timeout)
                if self._stopping:
                    return
                _, _, generation, job = heapq.heappop(self._heap)
                if generation != self._generation:
                    continue
                self._running += 1
            try:
                self._execute(job)
            finally:
                with self._cond:
                    self._running -= 1

    def _execute(self, job: Job) -> None:
        try:
            with LOCK:
                outcome = job()
        except Exception:  # noqa: BLE001 - one broken job must not stop the clock
            LOG.exception("scheduled transition failed")
            return
        if outcome is None:
            return
        events = [outcome] if isinstance(outcome, hooks.ApiEvent) else list(outcome)
        for event in events:
            hooks.notify(event)


SCHEDULER = Scheduler()
