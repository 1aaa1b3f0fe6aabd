"""The signature worker: a real child process checks batches; failures fall back, never guess."""

from __future__ import annotations

import io
import sys

import pytest

from puhui.kernel import signing, sigworker
from puhui.kernel.sigworker import SigWorker, decode_batch, encode_batch, verify_inline
from puhui.kernel.txcache import PendingChecks, TxCache


def _jobs(count: int) -> list[tuple[bytes, bytes, bytes]]:
    key = signing.generate()
    public = signing.public_bytes(key)
    messages = [f"command {i}".encode() * (i + 1) for i in range(count)]
    return [(public, key.sign(m), m) for m in messages]


def _forge(job: tuple[bytes, bytes, bytes]) -> tuple[bytes, bytes, bytes]:
    public, signature, message = job
    return public, bytes([signature[0] ^ 1]) + signature[1:], message


def test_batch_round_trips_through_the_wire_format() -> None:
    jobs = _jobs(3)
    stream = io.BytesIO(encode_batch(jobs) + encode_batch(jobs[:1]))
    assert decode_batch(stream) == jobs
    assert decode_batch(stream) == jobs[:1]
    assert decode_batch(stream) is None


def test_truncated_batch_is_an_error() -> None:
    with pytest.raises(EOFError):
        decode_batch(io.BytesIO(encode_batch(_jobs(2))[:-1]))


def test_inline_check_refuses_forgeries_and_bad_keys() -> None:
    jobs = _jobs(3)
    bad_key = (b"\x00" * 31 + b"\x01", jobs[0][1], jobs[0][2])
    assert verify_inline([jobs[0], _forge(jobs[1]), jobs[2], bad_key]) == [
        True,
        False,
        True,
        False,
    ]


def test_child_process_finds_the_forged_signature() -> None:
    jobs = _jobs(40)
    jobs[17] = _forge(jobs[17])
    worker = SigWorker()
    try:
        assert worker.alive
        assert worker.send(jobs[:20])
        assert worker.send(jobs[20:])
        first, second = worker.receive(), worker.receive()
        assert first is not None and second is not None
        assert [i for i, ok in enumerate(first + second) if not ok] == [17]
        assert worker.idle
    finally:
        worker.close()
    assert not worker.alive


def test_worker_that_cannot_start_reports_it() -> None:
    worker = SigWorker(["/nonexistent/python"])
    assert not worker.alive
    assert not worker.send(_jobs(4))
    assert worker.receive() is None


def test_pending_checks_fall_back_inline_when_the_child_dies() -> None:
    worker = SigWorker([sys.executable, "-c", "pass"])  # exits without answering
    jobs = _jobs(6)
    jobs[4] = _forge(jobs[4])
    worker.send(jobs)  # may or may not reach the pipe before the child exits
    cache = TxCache(replaying=True)
    PendingChecks([jobs], worker=worker).into(cache)
    verdicts = [cache.preverified[signature][1] for _key, signature, _m in jobs]
    assert verdicts == [True, True, True, True, False, True]
    assert not worker.alive
    worker.close()


def test_idle_worker_is_kept_for_the_next_replay() -> None:
    worker = sigworker.acquire()
    sigworker.release(worker)
    again = sigworker.acquire()
    try:
        assert again is worker and again.alive
    finally:
        again.close()
