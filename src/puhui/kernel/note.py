"""C2SP signed notes, checkpoints and Ed25519 cosignatures for puhui's verifiable log.

Implements three C2SP specifications:

* c2sp.org/signed-note — text signed by one or more keys (Ed25519, type ``0x01``);
* c2sp.org/tlog-checkpoint — the note body that carries a Merkle tree head;
* c2sp.org/tlog-cosignature — timestamped Ed25519 witness cosignatures (type ``0x04``).

A checkpoint signed by its log and cosigned by a witness (example from the
tlog-cosignature spec)::

    example.com/behind-the-sofa
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

    — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
    — witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==

The note text (origin, tree size, base64 root hash, each ending in a newline) is
followed by a blank line and then signature lines: an em dash (U+2014), a space,
the key name, a space and ``base64(4-byte key ID || signature)``.

Typical use::

    cp = Checkpoint("log.puhui.example", size, root)
    note = sign_checkpoint(cp, NoteSigner("log.puhui.example", log_key))
    witness = CosignatureSigner("witness.example", witness_key)
    note = add_signature(note, witness.cosign(cp.body(), int(time.time())))
    checkpoint, signed = open_checkpoint(note, NoteVerifier.parse(log_vkey))

Parsing is strict: anything the specs do not allow raises :class:`NoteError` (a
``ValueError``), and only canonical base64 is accepted so that a valid note has
exactly one textual form (parse followed by render is the identity).
"""  # noqa: E501 (the example signature lines above are longer than 100 characters)

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

__all__ = [
    "COSIGNATURE_V1_TYPE",
    "ED25519_TYPE",
    "MAX_SIGNATURES",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "NoteError",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "SignedNote",
    "add_signature",
    "open_checkpoint",
    "sign_checkpoint",
]

#: Signature type byte of plain Ed25519 note signatures (c2sp.org/signed-note).
ED25519_TYPE = 0x01
#: Signature type byte of timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature).
COSIGNATURE_V1_TYPE = 0x04
#: Upper bound on signature lines per note. The spec requires accepting at least 16
#: and asks verifiers to impose some limit so that a note cannot grow without bound.
MAX_SIGNATURES = 100

_SIG_PREFIX = "\u2014 "  # em dash, space
_SIGNER_KEY_PREFIX = "PRIVATE+KEY+"
_COSIGNATURE_HEADER = "cosignature/v1\n"
_ED25519_KEY_SIZE = 32
_ED25519_SIG_SIZE = 64
_KEY_ID_SIZE = 4
_TIMESTAMP_SIZE = 8
_HASH_SIZE = 32
_MAX_TREE_SIZE = 2**64 - 1  # RFC 6962/9162 tree sizes are uint64
_MAX_TIMESTAMP = 2**63 - 1  # tlog-cosignature: "MUST NOT exceed 2^63 - 1"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """A note, checkpoint, key or signature is malformed or does not verify."""


# --------------------------------------------------------------------------- helpers


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(value: str, what: str) -> bytes:
    """Decode standard, padded base64 and insist on the canonical encoding.

    ``base64.b64decode`` tolerates non-zero padding bits, so several strings decode
    to the same bytes. Accepting them would let anyone re-spell a signature line
    without invalidating it; re-encoding and comparing closes that gap.
    """
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    if _b64encode(raw) != value:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _check_chars(value: str, what: str) -> None:
    """Signed notes must be valid UTF-8 without ASCII control characters but newline."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid UTF-8") from None
    for ch in value:
        if ch < "\x20" and ch != "\n":
            raise NoteError(f"{what} contains control character U+{ord(ch):04X}")


def _check_text(text: str, what: str = "note text") -> None:
    if not isinstance(text, str):
        raise NoteError(f"{what} must be a str")
    _check_chars(text, what)
    if not text.endswith("\n"):
        raise NoteError(f"{what} must end with a newline")


def _check_name(name: str) -> None:
    """Key names: non-empty, no Unicode spaces, no ``+`` (and nothing a note forbids)."""
    if not isinstance(name, str) or not name:
        raise NoteError("key name must be a non-empty string")
    _check_chars(name, "key name")
    if "\n" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"key name {name!r} contains a space")
    if "+" in name:
        raise NoteError(f"key name {name!r} contains '+'")


def _key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """``SHA-256(key name || 0x0A || signature type || public key)[:4]``."""
    material = name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _load_public(public_key: Ed25519PublicKey | bytes) -> tuple[Ed25519PublicKey, bytes]:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key, _raw_public(public_key)
    if not isinstance(public_key, bytes) or len(public_key) != _ED25519_KEY_SIZE:
        raise NoteError("Ed25519 public key must be 32 bytes")
    try:
        return Ed25519PublicKey.from_public_bytes(public_key), public_key
    except ValueError:
        raise NoteError("invalid Ed25519 public key") from None


def _format_vkey(name: str, key_id: bytes, sig_type: int, public_key: bytes) -> str:
    return f"{name}+{key_id.hex()}+{_b64encode(bytes([sig_type]) + public_key)}"


def _parse_vkey(vkey: str, sig_type: int) -> tuple[str, bytes]:
    """Parse ``<name>+<8 hex key ID>+<base64(type || key)>``; return (name, raw key).

    The key ID embedded in the string is redundant, so it is recomputed and must
    match: a mismatch means the string was corrupted or edited.
    """
    if not isinstance(vkey, str):
        raise NoteError("verifier key must be a str")
    # The name cannot contain '+', but the base64 tail can: split twice only.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise NoteError("verifier key must have the form <name>+<key id>+<key>")
    name, id_hex, material_b64 = parts
    _check_name(name)
    if not _KEY_ID_HEX.fullmatch(id_hex):
        raise NoteError("verifier key ID must be 8 lowercase hex digits")
    material = _b64decode(material_b64, "verifier key material")
    if len(material) != 1 + _ED25519_KEY_SIZE:
        raise NoteError("verifier key material has the wrong length")
    if material[0] != sig_type:
        raise NoteError(
            f"verifier key has signature type 0x{material[0]:02x}, expected 0x{sig_type:02x}"
        )
    public_key = material[1:]
    if _key_id(name, sig_type, public_key) != bytes.fromhex(id_hex):
        raise NoteError("verifier key ID does not match the key")
    return name, public_key


def _check_private(private_key: Ed25519PrivateKey) -> None:
    if not isinstance(private_key, Ed25519PrivateKey):
        raise NoteError("private key must be an Ed25519PrivateKey")


def _verify_ed25519(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin line, tree size line, base64 root hash line, extension lines.

    ``extensions`` are opaque non-empty lines after the root hash. The checkpoint
    spec marks them NOT RECOMMENDED (monitors cannot audit them), so
    :func:`open_checkpoint` rejects them unless asked not to.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "checkpoint origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise NoteError("checkpoint size must be an int")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteError("checkpoint size out of range")
        if not isinstance(self.root, bytes) or len(self.root) != _HASH_SIZE:
            raise NoteError("checkpoint root hash must be 32 bytes")
        if not isinstance(self.extensions, tuple):
            raise NoteError("checkpoint extensions must be a tuple")
        for line in self.extensions:
            _check_line(line, "checkpoint extension line")

    def body(self) -> str:
        """The note text: every line newline-terminated, including the last."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse_body(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly (see c2sp.org/tlog-checkpoint)."""
        _check_text(text, "checkpoint body")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint body needs origin, tree size and root hash lines")
        if any(not line for line in lines):
            raise NoteError("checkpoint body contains an empty line")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise NoteError(f"checkpoint tree size {size_text!r} is not canonical decimal")
        root = _b64decode(root_text, "checkpoint root hash")
        if len(root) != _HASH_SIZE:
            raise NoteError(f"checkpoint root hash is {len(root)} bytes, expected 32")
        return cls(origin, int(size_text), root, tuple(extensions))


def _check_line(line: str, what: str) -> None:
    if not isinstance(line, str) or not line:
        raise NoteError(f"{what} must be a non-empty string")
    _check_chars(line, what)
    if "\n" in line:
        raise NoteError(f"{what} contains a newline")


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key ID and the algorithm's signature bytes.

    ``signature`` is everything after the key ID; for a cosignature that is the
    8-byte big-endian timestamp followed by the 64-byte Ed25519 signature.
    """

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.key_id, bytes) or len(self.key_id) != _KEY_ID_SIZE:
            raise NoteError("key ID must be 4 bytes")
        if not isinstance(self.signature, bytes) or not self.signature:
            raise NoteError("signature must be non-empty bytes")

    def line(self) -> str:
        """The signature line, including its terminating newline, as in the spec."""
        return f"{_SIG_PREFIX}{self.name} {_b64encode(self.key_id + self.signature)}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        """Parse one signature line, with or without its terminating newline."""
        if not isinstance(line, str):
            raise NoteError("signature line must be a str")
        if line.endswith("\n"):
            line = line[:-1]
        _check_chars(line, "signature line")
        if "\n" in line:
            raise NoteError("signature line contains a newline")
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature line must start with an em dash and a space")
        name, sep, encoded = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep:
            raise NoteError("signature line must be '— <name> <base64 signature>'")
        _check_name(name)
        raw = _b64decode(encoded, "signature")
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError("signature is too short to hold a key ID and a signature")
        return cls(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:])


@dataclass(frozen=True)
class SignedNote:
    """A note text with one or more (not yet verified) signatures."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text)
        if not isinstance(self.signatures, tuple):
            raise NoteError("signatures must be a tuple")
        if not self.signatures:
            raise NoteError("a signed note needs at least one signature")
        if len(self.signatures) > MAX_SIGNATURES:
            raise NoteError(f"more than {MAX_SIGNATURES} signatures")
        if not all(isinstance(sig, NoteSignature) for sig in self.signatures):
            raise NoteError("signatures must be NoteSignature instances")

    def render(self) -> str:
        return self.text + "\n" + "".join(sig.line() for sig in self.signatures)

    @classmethod
    def parse(cls, data: str | bytes) -> SignedNote:
        """Parse a signed note without verifying anything.

        The text is separated from the signatures by the *last* blank line, since
        the text itself may contain blank lines (the signed-note spec's own
        example does).
        """
        if isinstance(data, bytes | bytearray):
            try:
                data = bytes(data).decode("utf-8")
            except UnicodeDecodeError:
                raise NoteError("note is not valid UTF-8") from None
        if not isinstance(data, str):
            raise NoteError("note must be str or bytes")
        _check_chars(data, "note")
        if not data.endswith("\n"):
            raise NoteError("note must end with a newline")
        split = data.rfind("\n\n")
        if split < 0:
            raise NoteError("note has no blank line between text and signatures")
        text, block = data[: split + 1], data[split + 2 :]
        if not block:
            raise NoteError("note has no signature lines")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
        return cls(text, tuple(NoteSignature.parse_line(line) for line in lines))


# --------------------------------------------------------------------------- Ed25519 notes


class NoteVerifier:
    """Verifies plain Ed25519 note signatures (type 0x01) from one named key."""

    def __init__(self, name: str, public_key: Ed25519PublicKey | bytes) -> None:
        _check_name(name)
        self._key, self._raw = _load_public(public_key)
        self.name = name
        self.key_id = _key_id(name, ED25519_TYPE, self._raw)

    @classmethod
    def parse(cls, vkey: str) -> NoteVerifier:
        """Build from ``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
        name, public_key = _parse_vkey(vkey, ED25519_TYPE)
        return cls(name, public_key)

    @property
    def public_key(self) -> bytes:
        return self._raw

    def verifier_key(self) -> str:
        return _format_vkey(self.name, self.key_id, ED25519_TYPE, self._raw)

    def matches(self, sig: NoteSignature) -> bool:
        """Whether ``sig`` claims to be from this key (same name *and* key ID).

        Per the spec, a line that shares only the name or only the ID belongs to
        some other key and must be ignored rather than treated as a failure.
        """
        return sig.name == self.name and sig.key_id == self.key_id

    def verify(self, text: str, sig: NoteSignature) -> bool:
        """True iff ``sig`` is this key's valid signature over the note text."""
        if not self.matches(sig) or len(sig.signature) != _ED25519_SIG_SIZE:
            return False
        try:
            _check_text(text)
        except NoteError:
            return False
        return _verify_ed25519(self._key, sig.signature, text.encode("utf-8"))

    def __repr__(self) -> str:
        return f"NoteVerifier({self.verifier_key()!r})"


class NoteSigner:
    """Signs note texts with an Ed25519 key under a key name (type 0x01)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        _check_private(private_key)
        self.name = name
        self._key = private_key
        self._public = _raw_public(private_key.public_key())
        self.key_id = _key_id(name, ED25519_TYPE, self._public)

    @classmethod
    def parse(cls, skey: str) -> NoteSigner:
        """Build from ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>``.

        This is the signer key encoding of Go's golang.org/x/mod/sumdb/note, which
        C2SP-aware tools (witnesses, tlog tooling) also read.
        """
        if not isinstance(skey, str) or not skey.startswith(_SIGNER_KEY_PREFIX):
            raise NoteError("signer key must start with 'PRIVATE+KEY+'")
        parts = skey[len(_SIGNER_KEY_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise NoteError("signer key must have the form PRIVATE+KEY+<name>+<id>+<key>")
        name, id_hex, material_b64 = parts
        _check_name(name)
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise NoteError("signer key ID must be 8 lowercase hex digits")
        material = _b64decode(material_b64, "signer key material")
        if len(material) != 1 + _ED25519_KEY_SIZE or material[0] != ED25519_TYPE:
            raise NoteError("signer key material must be 0x01 followed by a 32-byte seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(material[1:]))
        if signer.key_id != bytes.fromhex(id_hex):
            raise NoteError("signer key ID does not match the key")
        return signer

    def signer_key(self) -> str:
        """The ``PRIVATE+KEY+...`` encoding. Secret: never log or publish it."""
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        material = _b64encode(bytes([ED25519_TYPE]) + seed)
        return f"{_SIGNER_KEY_PREFIX}{self.name}+{self.key_id.hex()}+{material}"

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self._public)

    def verifier_key(self) -> str:
        return _format_vkey(self.name, self.key_id, ED25519_TYPE, self._public)

    def sign(self, text: str) -> NoteSignature:
        _check_text(text)
        return NoteSignature(self.name, self.key_id, self._key.sign(text.encode("utf-8")))

    def __repr__(self) -> str:
        return f"NoteSigner({self.verifier_key()!r})"


# --------------------------------------------------------------------------- cosignatures


def _cosigned_message(checkpoint_body: str, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <ts>\\n`` followed by the whole checkpoint note text."""
    return f"{_COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_body}".encode()


class CosignatureVerifier:
    """Verifies timestamped Ed25519 cosignatures (``cosignature/v1``, type 0x04).

    The Ed25519 cosigned message does not include the cosigner's name, so an
    operator must use a distinct key for each cosigner identity.
    """

    def __init__(self, name: str, public_key: Ed25519PublicKey | bytes) -> None:
        _check_name(name)
        self._key, self._raw = _load_public(public_key)
        self.name = name
        self.key_id = _key_id(name, COSIGNATURE_V1_TYPE, self._raw)

    @classmethod
    def parse(cls, vkey: str) -> CosignatureVerifier:
        """Build from ``<name>+<hex key ID>+<base64(0x04 || public key)>``."""
        name, public_key = _parse_vkey(vkey, COSIGNATURE_V1_TYPE)
        return cls(name, public_key)

    @property
    def public_key(self) -> bytes:
        return self._raw

    def verifier_key(self) -> str:
        return _format_vkey(self.name, self.key_id, COSIGNATURE_V1_TYPE, self._raw)

    def matches(self, sig: NoteSignature) -> bool:
        return sig.name == self.name and sig.key_id == self.key_id

    def verify(self, checkpoint_body: str, sig: NoteSignature) -> int | None:
        """Return the cosignature's timestamp if it is valid, otherwise ``None``."""
        if not self.matches(sig) or len(sig.signature) != _TIMESTAMP_SIZE + _ED25519_SIG_SIZE:
            return None
        try:
            _check_text(checkpoint_body, "checkpoint body")
        except NoteError:
            return None
        timestamp = int.from_bytes(sig.signature[:_TIMESTAMP_SIZE], "big")
        if timestamp > _MAX_TIMESTAMP:
            return None
        message = _cosigned_message(checkpoint_body, timestamp)
        if not _verify_ed25519(self._key, sig.signature[_TIMESTAMP_SIZE:], message):
            return None
        return timestamp

    def __repr__(self) -> str:
        return f"CosignatureVerifier({self.verifier_key()!r})"


class CosignatureSigner:
    """A witness: cosigns checkpoint bodies with a timestamp (``cosignature/v1``)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        _check_private(private_key)
        self.name = name
        self._key = private_key
        self._public = _raw_public(private_key.public_key())
        self.key_id = _key_id(name, COSIGNATURE_V1_TYPE, self._public)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self._public)

    def verifier_key(self) -> str:
        return _format_vkey(self.name, self.key_id, COSIGNATURE_V1_TYPE, self._public)

    def cosign(self, checkpoint_body: str, timestamp: int) -> NoteSignature:
        """Cosign a checkpoint note text (all lines, final newline included).

        The body must parse as a checkpoint: a witness has no business signing
        anything else. ``timestamp`` is POSIX seconds, at most 2^63 - 1.
        """
        Checkpoint.parse_body(checkpoint_body)
        if isinstance(timestamp, bool) or not isinstance(timestamp, int):
            raise NoteError("timestamp must be an int")
        if not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise NoteError("timestamp out of range")
        signature = self._key.sign(_cosigned_message(checkpoint_body, timestamp))
        payload = timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature
        return NoteSignature(self.name, self.key_id, payload)

    def __repr__(self) -> str:
        return f"CosignatureSigner({self.verifier_key()!r})"


# --------------------------------------------------------------------------- checkpoints


def sign_checkpoint(cp: Checkpoint, signer: NoteSigner) -> str:
    """Render ``cp`` as a signed note carrying the log's signature.

    The checkpoint spec says the log's key name SHOULD equal the origin; that is
    left to the caller rather than enforced here.
    """
    body = cp.body()
    return SignedNote(body, (signer.sign(body),)).render()


def open_checkpoint(
    note: str | bytes,
    verifier: NoteVerifier,
    *,
    origin: str | None = None,
    allow_extensions: bool = False,
) -> tuple[Checkpoint, SignedNote]:
    """Verify the log's signature on a checkpoint note and parse its body.

    Signature lines from other keys (e.g. witness cosignatures) are ignored here.
    Every line that claims to be from ``verifier`` (same name and key ID) must
    verify: a failing one rejects the whole note, as the spec recommends.
    ``origin``, if given, must equal the checkpoint's origin line. Extension lines
    are rejected unless ``allow_extensions`` is true.
    """
    signed = SignedNote.parse(note)
    claimed = [sig for sig in signed.signatures if verifier.matches(sig)]
    if not claimed:
        raise NoteError(f"checkpoint has no signature from log key {verifier.verifier_key()}")
    for sig in claimed:
        if not verifier.verify(signed.text, sig):
            raise NoteError(f"invalid signature from log key {verifier.verifier_key()}")
    try:
        cp = Checkpoint.parse_body(signed.text)
    except NoteError as exc:
        raise NoteError(f"malformed checkpoint body: {exc}") from None
    if origin is not None and cp.origin != origin:
        raise NoteError(f"checkpoint origin {cp.origin!r} is not the expected {origin!r}")
    if cp.extensions and not allow_extensions:
        raise NoteError("checkpoint has extension lines, which are not allowed")
    return cp, signed


def add_signature(note: str | bytes, sig: NoteSignature) -> str:
    """Append a signature line (e.g. a cosignature) to a signed note.

    Idempotent: if the identical line is already present the note is returned
    unchanged (in its canonical rendering). Nothing is verified here.
    """
    signed = SignedNote.parse(note)
    if sig in signed.signatures:
        return signed.render()
    if len(signed.signatures) >= MAX_SIGNATURES:
        raise NoteError(f"note already has {MAX_SIGNATURES} signatures")
    return SignedNote(signed.text, (*signed.signatures, sig)).render()
