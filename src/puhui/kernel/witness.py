"""A witness: cosigns a log's checkpoint only if it is consistent with the last one it cosigned.

The witness keeps its last cosigned checkpoint (origin, size, root) in a small JSON state file,
written atomically. It runs on the witness's own host (`puhui witness`) with its own key;
nothing here touches the log's database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from puhui.kernel import merkle, signing
from puhui.kernel.note import (
    Checkpoint,
    CosignatureSigner,
    NoteError,
    NoteSignature,
    NoteVerifier,
    open_checkpoint,
)


class WitnessRefusal(Exception):
    """The checkpoint is not one this witness will cosign; its state is unchanged."""


@dataclass(frozen=True)
class WitnessState:
    origin: str
    size: int
    root: bytes

    def to_json(self) -> dict[str, object]:
        return {"origin": self.origin, "size": self.size, "root": signing.b64encode(self.root)}


class Witness:
    def __init__(self, name: str, signer: CosignatureSigner, log_key: str, state_file: Path):
        self.name = name
        self.signer = signer
        self.log_verifier = NoteVerifier.parse(log_key.strip())
        self.state_file = state_file

    def state(self) -> WitnessState | None:
        if not self.state_file.exists():
            return None
        data = json.loads(self.state_file.read_text(encoding="utf-8"))
        return WitnessState(data["origin"], data["size"], signing.b64decode(data["root"]))

    def _save(self, state: WitnessState) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state.to_json()) + "\n", encoding="utf-8")
        os.replace(tmp, self.state_file)

    def cosign(self, note: str, consistency: Sequence[bytes], timestamp: int) -> NoteSignature:
        """Check ``note`` against the last cosigned checkpoint and cosign it, or refuse."""
        try:
            checkpoint, _ = open_checkpoint(note, self.log_verifier, origin=self.log_verifier.name)
        except NoteError as exc:
            raise WitnessRefusal(f"checkpoint not signed by the log key: {exc}") from exc
        last = self.state()
        if last is not None:
            self._check_consistent(last, checkpoint, consistency)
        signature = self.signer.cosign(checkpoint.body(), timestamp)
        self._save(WitnessState(checkpoint.origin, checkpoint.size, checkpoint.root))
        return signature

    @staticmethod
    def _check_consistent(
        last: WitnessState, new: Checkpoint, consistency: Sequence[bytes]
    ) -> None:
        if new.origin != last.origin:
            raise WitnessRefusal(f"origin {new.origin!r} is not {last.origin!r}")
        if new.size < last.size:
            raise WitnessRefusal(f"size {new.size} is smaller than the cosigned {last.size}")
        if new.size == last.size:
            if new.root != last.root:
                raise WitnessRefusal(f"a different root for size {new.size}: a forked log")
            return
        if last.size > 0 and not merkle.verify_consistency(
            last.size, new.size, last.root, new.root, consistency
        ):
            raise WitnessRefusal(
                f"size {new.size} is not consistent with the cosigned size {last.size}"
            )
