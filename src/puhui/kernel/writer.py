"""Group commit for concurrent submitters (the API server).

One writer thread owns the log: it takes every command waiting in the queue (up to
``batch_commands_max``), runs them with ``Kernel.submit_many`` in one transaction — one fsync —
and hands each caller its own receipt or error. Batches form by themselves: while one commits,
the next gathers, so a lone caller waits for one transaction and a crowd shares them.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import InvariantViolation, PuhuiError
from puhui.kernel.service import Kernel, Receipt

BATCH_COMMANDS_MAX = 1000
QUEUE_COMMANDS_MAX = 20_000
SUBMIT_WAIT_S_MAX = 60.0


@dataclass(frozen=True)
class _Job:
    signed: SignedCommand
    future: Future[Receipt]


class GroupCommitter:
    def __init__(self, kernel: Kernel, batch_commands_max: int = BATCH_COMMANDS_MAX) -> None:
        self.kernel = kernel
        self.batch_commands_max = batch_commands_max
        self._queue: queue.Queue[_Job | None] = queue.Queue(QUEUE_COMMANDS_MAX)
        self._thread = threading.Thread(target=self._run, name="puhui-writer", daemon=True)
        self._thread.start()
        self.batches = 0

    def submit(self, signed: SignedCommand) -> Receipt:
        """Queue ``signed`` and wait for its transaction; raise its PuhuiError if refused."""
        job = _Job(signed, Future())
        try:
            self._queue.put(job, timeout=SUBMIT_WAIT_S_MAX)
        except queue.Full as exc:
            raise InvariantViolation("the writer queue is full; retry later") from exc
        return job.future.result(timeout=SUBMIT_WAIT_S_MAX)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _take_batch(self) -> list[_Job] | None:
        first = self._queue.get()
        if first is None:
            return None
        jobs = [first]
        while len(jobs) < self.batch_commands_max:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._queue.put(None)
                break
            jobs.append(job)
        return jobs

    def _run(self) -> None:
        while (jobs := self._take_batch()) is not None:
            try:
                results, _head = self.kernel.submit_many([j.signed for j in jobs])
            except Exception as exc:  # the transaction failed as a whole: nobody's command landed
                for job in jobs:
                    job.future.set_exception(exc)
                continue
            self.batches += 1
            for job, result in zip(jobs, results, strict=True):
                if isinstance(result, PuhuiError):
                    job.future.set_exception(result)
                else:
                    job.future.set_result(result)
