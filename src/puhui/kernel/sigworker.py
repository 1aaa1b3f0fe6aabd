"""Ed25519 checks in a child interpreter, for replay and verify.

``cryptography``'s Ed25519 verify holds the GIL, so a thread checking signatures slows the
thread that replays as much as it helps. Replay therefore sends each chunk's signatures to a
child process (``python -m puhui.kernel.sigworker``) over its stdin and reads one verdict byte
per signature from its stdout, while it replays the chunk before.

Not ``multiprocessing``: a spawn pool re-imports the ``__main__`` of whatever script runs
replay, and a fork of a threaded server is unsafe. The child imports only ``cryptography``.

Protocol (all integers little-endian): a batch is ``u32 count``, then per signature the 32-byte
public key, the 64-byte signature, ``u32 length`` and the message; the answer is ``count``
bytes, 1 for a valid signature and 0 otherwise. The child exits at end of input. If the child
cannot be started or stops answering, ``SigWorker`` checks the batch itself (``verify_inline``)
and stays in that mode: results are never guessed.
"""

from __future__ import annotations

import atexit
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

Job = tuple[bytes, bytes, bytes]
"""(32-byte public key, 64-byte signature, message)."""

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
BATCH_SIGNATURES_MAX = 65_536
MESSAGE_BYTES_MAX = 1 << 20
CLOSE_WAIT_S = 5.0
_COUNT = struct.Struct("<I")


def verify_inline(jobs: Sequence[Job]) -> list[bool]:
    """Check each job here; public keys repeated in a batch are loaded once."""
    keys: dict[bytes, Ed25519PublicKey | None] = {}
    verdicts = []
    for public_key, signature, message in jobs:
        if public_key in keys:
            key = keys[public_key]
        else:
            try:
                key = keys[public_key] = Ed25519PublicKey.from_public_bytes(public_key)
            except ValueError:
                key = keys[public_key] = None
        ok = False
        if key is not None:
            try:
                key.verify(signature, message)
                ok = True
            except InvalidSignature:
                ok = False
        verdicts.append(ok)
    return verdicts


def encode_batch(jobs: Sequence[Job]) -> bytes:
    if len(jobs) > BATCH_SIGNATURES_MAX:
        raise ValueError(f"at most {BATCH_SIGNATURES_MAX} signatures per batch")
    parts = [_COUNT.pack(len(jobs))]
    for public_key, signature, message in jobs:
        if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
            raise ValueError("a public key is 32 bytes and a signature 64")
        if len(message) > MESSAGE_BYTES_MAX:
            raise ValueError(f"a message is at most {MESSAGE_BYTES_MAX} bytes")
        parts += [public_key, signature, _COUNT.pack(len(message)), message]
    return b"".join(parts)


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise EOFError(f"expected {size} bytes, got {0 if data is None else len(data)}")
    return data


def decode_batch(stream: IO[bytes]) -> list[Job] | None:
    """The next batch on ``stream``; None at a clean end of input."""
    head = stream.read(_COUNT.size)
    if not head:
        return None
    if len(head) < _COUNT.size:
        head += _read_exact(stream, _COUNT.size - len(head))
    (count,) = _COUNT.unpack(head)
    if count > BATCH_SIGNATURES_MAX:
        raise ValueError(f"batch of {count} signatures is over {BATCH_SIGNATURES_MAX}")
    jobs = []
    for _ in range(count):
        fixed = _read_exact(stream, PUBLIC_KEY_BYTES + SIGNATURE_BYTES + _COUNT.size)
        (length,) = _COUNT.unpack_from(fixed, PUBLIC_KEY_BYTES + SIGNATURE_BYTES)
        if length > MESSAGE_BYTES_MAX:
            raise ValueError(f"message of {length} bytes is over {MESSAGE_BYTES_MAX}")
        public_key, signature = fixed[:PUBLIC_KEY_BYTES], fixed[PUBLIC_KEY_BYTES : -_COUNT.size]
        jobs.append((public_key, signature, _read_exact(stream, length)))
    return jobs


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """The child's loop: answer each batch until end of input."""
    while (jobs := decode_batch(source)) is not None:
        sink.write(bytes(verify_inline(jobs)))
        sink.flush()


class SigWorker:
    """One child process checking batches in order; falls back to checking inline."""

    def __init__(self, command: Sequence[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._sent: list[int] = []
        """Sizes of the batches sent and not yet answered, oldest first."""
        self._process: subprocess.Popen[bytes] | None = None
        argv = list(command) if command else [sys.executable, "-m", "puhui.kernel.sigworker"]
        try:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError:
            self._process = None

    @property
    def alive(self) -> bool:
        return self._process is not None

    @property
    def idle(self) -> bool:
        """Alive with every batch answered: fit to hand to the next replay."""
        return self._process is not None and not self._sent

    def send(self, jobs: Sequence[Job]) -> bool:
        """Send a batch; False if the worker is gone (the caller then checks inline)."""
        try:
            batch = encode_batch(jobs)
        except ValueError:
            return False
        with self._lock:
            process = self._process
            if process is None or process.stdin is None:
                return False
            try:
                process.stdin.write(batch)
                process.stdin.flush()
            except OSError:
                self._stop()
                return False
            self._sent.append(len(jobs))
            return True

    def receive(self) -> list[bool] | None:
        """Verdicts of the oldest unanswered batch; None if the worker failed."""
        with self._lock:
            process = self._process
            if process is None or process.stdout is None or not self._sent:
                return None
            count = self._sent.pop(0)
            try:
                answer = _read_exact(process.stdout, count)
            except (OSError, EOFError):
                self._stop()
                return None
            if any(b > 1 for b in answer):
                self._stop()
                return None
            return [b == 1 for b in answer]

    def _stop(self) -> None:
        process, self._process = self._process, None
        self._sent = []
        if process is not None:
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        """End the child (end of input), waiting briefly, then kill it if it lingers."""
        with self._lock:
            process, self._process = self._process, None
            self._sent = []
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=CLOSE_WAIT_S)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


IDLE_WORKERS_MAX = 1
_idle: list[SigWorker] = []
_idle_lock = threading.Lock()


def acquire() -> SigWorker:
    """An idle worker kept from an earlier replay, or a new one (started, not yet ready)."""
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.idle:
                return worker
            worker.close()
    return SigWorker()


def release(worker: SigWorker) -> None:
    """Keep ``worker`` for the next replay if it is idle and there is room; else end it."""
    with _idle_lock:
        if worker.idle and len(_idle) < IDLE_WORKERS_MAX:
            _idle.append(worker)
            return
    worker.close()


@atexit.register
def _close_idle() -> None:
    with _idle_lock:
        workers = list(_idle)
        _idle.clear()
    for worker in workers:
        worker.close()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
