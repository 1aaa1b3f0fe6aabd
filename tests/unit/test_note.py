"""Tests for puhui.kernel.note (C2SP signed-note, tlog-checkpoint, tlog-cosignature)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from puhui.kernel.note import (
    MAX_SIGNATURES,
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    NoteError,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    SignedNote,
    add_signature,
    open_checkpoint,
    sign_checkpoint,
)

EM = "\u2014"
LOG = "log.puhui.example/test"
WITNESS = "witness.puhui.example/w1"


def _key(n: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"seed%d" % n).digest())


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


ROOT = hashlib.sha256(b"root").digest()
CP = Checkpoint(LOG, 20852163, ROOT)


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(LOG, _key(1))


@pytest.fixture
def note(signer: NoteSigner) -> str:
    return sign_checkpoint(CP, signer)


# --------------------------------------------------------------------------- known answers

# golang.org/x/mod/sumdb/note example (the signed-note format's origin): signer key,
# verifier key and the resulting note. Ed25519 is deterministic, so signing must
# reproduce it byte for byte.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n"
    + f"{EM} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    + "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)

# Example from c2sp.org/signed-note (the spec gives no verifier key for it, so it
# can only be checked structurally).
SPEC_NOTE = (
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed è subito sera.\n"
    "\n"
    f"{EM} quasimodo.example/salvatore "
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)

# Example from c2sp.org/tlog-cosignature: a checkpoint with a log signature and a
# witness cosignature whose timestamp matches the spec's "time 1679315147" line.
SPEC_COSIGNED = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    f"{EM} example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    f"{EM} witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIU"
    "BkBIfZ+qnA==\n"
)


def test_go_known_answer_sign_and_verify() -> None:
    signer = NoteSigner.parse(GO_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == bytes.fromhex("c74f20a3")
    assert signer.verifier_key() == GO_VKEY
    assert signer.signer_key() == GO_SKEY
    assert SignedNote(GO_TEXT, (signer.sign(GO_TEXT),)).render() == GO_NOTE

    verifier = NoteVerifier.parse(GO_VKEY)
    parsed = SignedNote.parse(GO_NOTE)
    assert parsed.text == GO_TEXT
    assert verifier.verify(parsed.text, parsed.signatures[0])
    assert not verifier.verify(GO_TEXT.replace("answer", "Answer"), parsed.signatures[0])


@pytest.mark.parametrize(
    ("vkey", "cls"),
    [
        # Published verifier keys from Go implementations' tests; parsing recomputes
        # the key ID from name, type byte and key, so this checks that computation.
        ("EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop", NoteVerifier),
        ("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6", NoteVerifier),  # '+' in b64
        (
            "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
            CosignatureVerifier,
        ),
    ],
)
def test_published_verifier_keys(vkey: str, cls: type[NoteVerifier | CosignatureVerifier]) -> None:
    verifier = cls.parse(vkey)
    assert verifier.verifier_key() == vkey
    type_byte = 0x01 if cls is NoteVerifier else 0x04
    name = vkey.split("+")[0]
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([type_byte]) + verifier.public_key)
    assert verifier.key_id == digest.digest()[:4] == bytes.fromhex(vkey.split("+")[1])


def test_signed_note_spec_example_parses() -> None:
    parsed = SignedNote.parse(SPEC_NOTE)
    # The text keeps its own blank line: the separator is the *last* blank line.
    assert parsed.text.endswith("sole:\n\ned è subito sera.\n")
    assert len(parsed.signatures) == 1
    sig = parsed.signatures[0]
    assert sig.name == "quasimodo.example/salvatore"
    assert len(sig.signature) == 64
    assert parsed.render() == SPEC_NOTE
    assert SignedNote.parse(SPEC_NOTE.encode()) == parsed


def test_cosignature_spec_example_parses() -> None:
    parsed = SignedNote.parse(SPEC_COSIGNED)
    cp = Checkpoint.parse_body(parsed.text)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.body() == parsed.text
    log_sig, witness_sig = parsed.signatures
    assert len(log_sig.signature) == 64
    assert witness_sig.name == "witness.example.com/w1"
    assert len(witness_sig.signature) == 8 + 64
    assert int.from_bytes(witness_sig.signature[:8], "big") == 1679315147
    assert parsed.render() == SPEC_COSIGNED


# --------------------------------------------------------------------------- keys


def test_key_id_and_verifier_key_recomputed_independently(signer: NoteSigner) -> None:
    pub = _raw(_key(1).public_key())
    want_id = hashlib.sha256(LOG.encode() + b"\n" + b"\x01" + pub).digest()[:4]
    assert signer.key_id == want_id
    vkey = signer.verifier_key()
    material = base64.b64encode(bytes([1]) + pub).decode()
    assert vkey == f"{LOG}+{want_id.hex()}+{material}"
    verifier = NoteVerifier.parse(vkey)
    assert verifier.name == LOG
    assert verifier.key_id == want_id
    assert verifier.public_key == pub
    assert verifier.verifier_key() == vkey
    assert NoteVerifier(LOG, pub).verifier_key() == vkey
    assert NoteVerifier(LOG, _key(1).public_key()).verifier_key() == vkey


def test_signer_key_round_trip(signer: NoteSigner) -> None:
    again = NoteSigner.parse(signer.signer_key())
    assert again.verifier_key() == signer.verifier_key()
    assert again.sign("x\n") == signer.sign("x\n")


def test_cosigner_key_id_uses_type_0x04() -> None:
    cosigner = CosignatureSigner(WITNESS, _key(2))
    pub = _raw(_key(2).public_key())
    want_id = hashlib.sha256(WITNESS.encode() + b"\n\x04" + pub).digest()[:4]
    assert cosigner.key_id == want_id
    vkey = cosigner.verifier_key()
    assert vkey.split("+")[1] == want_id.hex()
    assert base64.b64decode(vkey.split("+", 2)[2])[0] == 0x04
    assert CosignatureVerifier.parse(vkey).verifier_key() == vkey
    # Same key and name as a plain note key: different type byte, different ID.
    assert NoteSigner(WITNESS, _key(2)).key_id != want_id
    with pytest.raises(NoteError, match="type 0x04"):
        NoteVerifier.parse(vkey)
    with pytest.raises(NoteError, match="type 0x01"):
        CosignatureVerifier.parse(NoteSigner(WITNESS, _key(2)).verifier_key())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda v: v.replace("+", "-", 1),  # no separator
        lambda v: v.rsplit("+", 1)[0],  # missing key
        lambda v: v.split("+", 1)[0] + "+00000000+" + v.split("+", 2)[2],  # wrong ID
        lambda v: v.split("+", 1)[0] + "+" + v.split("+")[1].upper() + "+" + v.split("+", 2)[2],
        lambda v: v[:-2] + "!!",  # bad base64
        lambda v: v[:-4],  # truncated key
        lambda v: "other" + v,  # name not matching the ID
        lambda v: "a b" + v[v.index("+") :],  # name with space
        lambda v: "",
    ],
)
def test_verifier_key_parse_rejects(mutate: object, signer: NoteSigner) -> None:
    vkey = signer.verifier_key()
    assert callable(mutate)
    bad = mutate(vkey)
    assert bad != vkey
    with pytest.raises(NoteError):
        NoteVerifier.parse(bad)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\nb", "a\tb", "a\u00a0b", "a\u3000b"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(NoteError):
        NoteSigner(name, _key(1))
    with pytest.raises(NoteError):
        NoteSignature(name, b"\0" * 4, b"\0" * 64)


# --------------------------------------------------------------------------- checkpoints


def test_sign_open_round_trip(signer: NoteSigner, note: str) -> None:
    assert note == CP.body() + "\n" + signer.sign(CP.body()).line()
    assert note.startswith(f"{LOG}\n20852163\n{base64.b64encode(ROOT).decode()}\n\n{EM} {LOG} ")
    cp, signed = open_checkpoint(note, signer.verifier(), origin=LOG)
    assert cp == CP
    assert signed.render() == note
    assert open_checkpoint(note.encode(), NoteVerifier.parse(signer.verifier_key()))[0] == CP


def test_open_checkpoint_origin_mismatch(signer: NoteSigner, note: str) -> None:
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, signer.verifier(), origin="elsewhere")


def test_extensions_kept_but_rejected_by_default(signer: NoteSigner) -> None:
    cp = Checkpoint(LOG, 5, ROOT, ("ext one", "ext-two"))
    assert cp.body().endswith("\next one\next-two\n")
    assert Checkpoint.parse_body(cp.body()) == cp
    note = sign_checkpoint(cp, signer)
    with pytest.raises(NoteError, match="extension"):
        open_checkpoint(note, signer.verifier())
    assert open_checkpoint(note, signer.verifier(), allow_extensions=True)[0] == cp


def _tamper_body(note: str, old: str, new: str) -> str:
    text, sep, sigs = note.rpartition("\n\n")
    assert old in text
    return text.replace(old, new, 1) + sep + sigs


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("20852163", "20852164"),  # size
        (base64.b64encode(ROOT).decode(), base64.b64encode(b"\1" * 32).decode()),  # root
        (LOG + "\n", LOG + "x\n"),  # origin
    ],
)
def test_tampered_body_fails(signer: NoteSigner, note: str, old: str, new: str) -> None:
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(_tamper_body(note, old, new), signer.verifier())


def test_tampered_signature_byte_fails(signer: NoteSigner, note: str) -> None:
    sig = signer.sign(CP.body())
    flipped = bytearray(sig.signature)
    flipped[10] ^= 1
    bad = CP.body() + "\n" + NoteSignature(LOG, sig.key_id, bytes(flipped)).line()
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(bad, signer.verifier())


def test_wrong_key_same_name_is_unknown(note: str) -> None:
    impostor = NoteVerifier(LOG, _key(99).public_key())
    with pytest.raises(NoteError, match="no signature from log key"):
        open_checkpoint(note, impostor)


def test_swapped_key_id_fails(signer: NoteSigner) -> None:
    # Signed by another key but labelled with the log's name and key ID.
    other = NoteSigner(LOG, _key(99)).sign(CP.body())
    forged = NoteSignature(LOG, signer.key_id, other.signature)
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(SignedNote(CP.body(), (forged,)).render(), signer.verifier())
    # The log's own signature labelled with some other key ID is not the log's.
    real = signer.sign(CP.body())
    relabelled = NoteSignature(LOG, b"\xde\xad\xbe\xef", real.signature)
    with pytest.raises(NoteError, match="no signature"):
        open_checkpoint(SignedNote(CP.body(), (relabelled,)).render(), signer.verifier())


def test_failing_known_signature_rejects_whole_note(signer: NoteSigner, note: str) -> None:
    good = signer.sign(CP.body())
    bad = NoteSignature(LOG, good.key_id, bytes(64))
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(add_signature(note, bad), signer.verifier())


def test_malformed_body_with_valid_signature(signer: NoteSigner) -> None:
    text = f"{LOG}\n012\n{base64.b64encode(ROOT).decode()}\n"
    bad = SignedNote(text, (signer.sign(text),)).render()
    with pytest.raises(NoteError, match="malformed checkpoint body"):
        open_checkpoint(bad, signer.verifier())


def test_unknown_signatures_are_ignored(signer: NoteSigner, note: str) -> None:
    junk = NoteSignature("someone.else", b"\1\2\3\4", b"whatever")
    assert open_checkpoint(add_signature(note, junk), signer.verifier())[0] == CP


def test_checkpoint_zero_size_and_bounds() -> None:
    empty = Checkpoint(LOG, 0, ROOT)
    assert empty.body().split("\n")[1] == "0"
    assert Checkpoint.parse_body(empty.body()) == empty
    assert Checkpoint.parse_body(Checkpoint(LOG, 2**64 - 1, ROOT).body()).size == 2**64 - 1
    for size in (-1, 2**64):
        with pytest.raises(NoteError):
            Checkpoint(LOG, size, ROOT)
    with pytest.raises(NoteError):
        Checkpoint(LOG, True, ROOT)


R64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"o\n007\n{R64}\n",  # leading zeros
        f"o\n00\n{R64}\n",
        f"o\n+7\n{R64}\n",
        f"o\n 7\n{R64}\n",
        f"o\n7_0\n{R64}\n",
        f"o\n\u0667\n{R64}\n",  # Arabic-Indic digit: int() would accept it
        f"o\n-1\n{R64}\n",
        f"o\n{2**64}\n{R64}\n",
        f"o\n7\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31-byte root
        f"o\n7\n{base64.b64encode(ROOT + b'x').decode()}\n",  # 33-byte root
        f"o\n7\n{R64[:-1]}\n",  # bad base64
        f"o\n7\n{R64.rstrip('=')}\n",  # missing padding
        f"o\n7\n{R64[:-2]}B=\n",  # non-canonical padding bits
        "o\n7\n",  # missing root line
        f"\n7\n{R64}\n",  # empty origin
        f"o\n7\n{R64}",  # no final newline
        f"o\n7\n{R64}\n\n",  # empty extension line
        f"o\r\n7\n{R64}\n",  # control character
        f"o\t\n7\n{R64}\n",
        "",
    ],
)
def test_parse_body_rejects(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse_body(body)


@given(
    origin=st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
    ).filter(lambda s: "\n" not in s),
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
)
def test_checkpoint_body_round_trip(origin: str, size: int, root: bytes) -> None:
    cp = Checkpoint(origin, size, root)
    assert Checkpoint.parse_body(cp.body()) == cp


# --------------------------------------------------------------------------- note parsing


def test_render_parse_identity(signer: NoteSigner) -> None:
    text = "first\n\nthird after a blank line\n"
    note = SignedNote(text, (signer.sign(text), NoteSignature("x", b"abcd", b"e"))).render()
    parsed = SignedNote.parse(note)
    assert parsed.text == text
    assert parsed.render() == note
    assert signer.verifier().verify(parsed.text, parsed.signatures[0])


@pytest.mark.parametrize(
    "transform",
    [
        lambda n: n.replace("\n\n", "\n", 1),  # missing blank line
        lambda n: n.replace(EM + " ", "- ", 1),  # hyphen instead of em dash
        lambda n: n.replace(EM + " ", "-- ", 1),
        lambda n: n.replace(EM + " ", EM, 1),  # em dash without space
        lambda n: n.replace(EM + " ", "\u2013 ", 1),  # en dash
        lambda n: n[:-1],  # no final newline
        lambda n: n + "\n",  # trailing blank line: no signatures after last blank line
        lambda n: n.replace("\n", "\r\n"),  # CRLF
        lambda n: n.replace(LOG + "\n", LOG + "\x00\n", 1),  # NUL
        lambda n: n.replace(LOG + "\n", LOG + "\x1b\n", 1),  # ESC
        lambda n: n.replace("=\n", "=\t\n"),  # tab after the signature
        lambda n: n.replace(f"{EM} {LOG} ", f"{EM} {LOG}  ", 1),  # two spaces
        lambda n: n.rsplit(" ", 1)[0] + "\n",  # no signature after the name
        lambda n: n.rsplit(" ", 1)[0] + " AAAA\n",  # too short for key ID + signature
        lambda n: n.rsplit(" ", 1)[0] + " @@@@\n",  # not base64
        lambda n: n.rpartition("\n\n")[0] + "\n\n",  # empty signature block
        lambda n: n.replace(f"{EM} {LOG}", f"{EM} a+b", 1),  # '+' in key name
        lambda n: "\ud800" + n,  # lone surrogate: not encodable as UTF-8
    ],
)
def test_parse_rejects(note: str, transform: object) -> None:
    assert callable(transform)
    bad = transform(note)
    assert bad != note
    with pytest.raises(NoteError):
        SignedNote.parse(bad)


def test_parse_rejects_bad_utf8_bytes(note: str) -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        SignedNote.parse(note.encode()[:-3] + b"\xff\xfe\n")


def test_parse_rejects_non_canonical_signature_base64(signer: NoteSigner) -> None:
    sig = signer.sign(CP.body())
    encoded = base64.b64encode(sig.key_id + sig.signature).decode()
    assert encoded.endswith("=") and not encoded.endswith("==")  # 68 bytes: one pad char
    # Flip a padding bit in the last data character: decodes to the same bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = encoded[-2]
    respelled = encoded[:-2] + alphabet[alphabet.index(last) ^ 1] + "="
    assert base64.b64decode(respelled) == base64.b64decode(encoded)
    with pytest.raises(NoteError, match="canonical"):
        SignedNote.parse(f"{CP.body()}\n{EM} {LOG} {respelled}\n")


def test_signature_count_limit(signer: NoteSigner) -> None:
    sig = signer.sign(CP.body())
    at_limit = CP.body() + "\n" + sig.line() * MAX_SIGNATURES
    assert len(SignedNote.parse(at_limit).signatures) == MAX_SIGNATURES
    with pytest.raises(NoteError, match="more than 100"):
        SignedNote.parse(at_limit + sig.line())
    with pytest.raises(NoteError):
        SignedNote(CP.body(), (sig,) * (MAX_SIGNATURES + 1))


def test_note_constructor_validates(signer: NoteSigner) -> None:
    sig = signer.sign("x\n")
    with pytest.raises(NoteError):
        SignedNote("x\n", ())
    with pytest.raises(NoteError):
        SignedNote("no newline", (sig,))
    with pytest.raises(NoteError):
        SignedNote("bell\a\n", (sig,))
    with pytest.raises(NoteError):
        NoteSignature("x", b"abc", b"sig")
    with pytest.raises(NoteError):
        NoteSignature("x", b"abcd", b"")
    with pytest.raises(NoteError):
        signer.sign("no newline")


def test_line_format(signer: NoteSigner) -> None:
    sig = signer.sign("x\n")
    line = sig.line()
    assert line.startswith(f"{EM} {LOG} ") and line.endswith("\n")
    assert base64.b64decode(line.split(" ")[2]) == sig.key_id + sig.signature
    assert NoteSignature.parse_line(line) == sig


def test_verify_returns_false_not_raises(signer: NoteSigner) -> None:
    v = signer.verifier()
    sig = signer.sign("x\n")
    assert v.verify("x\n", sig)
    assert not v.verify("x\x00\n", sig)
    assert not v.verify("\ud800\n", sig)
    assert not v.verify("x\n", NoteSignature(LOG, sig.key_id, sig.signature[:-1]))


# --------------------------------------------------------------------------- cosignatures


def test_cosignature_round_trip(note: str, signer: NoteSigner) -> None:
    cosigner = CosignatureSigner(WITNESS, _key(2))
    cosig = cosigner.cosign(CP.body(), 1679315147)
    assert cosig.key_id == cosigner.key_id
    assert len(cosig.signature) == 8 + 64
    assert cosig.signature[:8] == (1679315147).to_bytes(8, "big")

    cosigned = add_signature(note, cosig)
    assert cosigned == note + cosig.line()
    cp, signed = open_checkpoint(cosigned, signer.verifier())
    verifier = CosignatureVerifier.parse(cosigner.verifier_key())
    assert [verifier.verify(signed.text, s) for s in signed.signatures] == [None, 1679315147]
    assert cp == CP


def test_cosigned_message_format_independently() -> None:
    cosig = CosignatureSigner(WITNESS, _key(2)).cosign(CP.body(), 1700000000)
    message = b"cosignature/v1\ntime 1700000000\n" + CP.body().encode()
    _key(2).public_key().verify(cosig.signature[8:], message)  # raises if wrong


def test_cosignature_rejections() -> None:
    cosigner = CosignatureSigner(WITNESS, _key(2))
    verifier = cosigner.verifier()
    cosig = cosigner.cosign(CP.body(), 1000)
    assert verifier.verify(CP.body(), cosig) == 1000
    other_body = Checkpoint(LOG, CP.size + 1, ROOT).body()
    assert verifier.verify(other_body, cosig) is None
    other_ts = NoteSignature(WITNESS, cosig.key_id, (1001).to_bytes(8, "big") + cosig.signature[8:])
    assert verifier.verify(CP.body(), other_ts) is None
    too_big = NoteSignature(WITNESS, cosig.key_id, b"\x80" + cosig.signature[1:])
    assert verifier.verify(CP.body(), too_big) is None
    assert verifier.verify(CP.body(), NoteSignature(WITNESS, cosig.key_id, b"short")) is None
    assert CosignatureVerifier(WITNESS, _key(3).public_key()).verify(CP.body(), cosig) is None
    # A plain note signature from the same key is not a cosignature.
    plain = NoteSigner(WITNESS, _key(2)).sign(CP.body())
    assert verifier.verify(CP.body(), plain) is None


def test_cosign_validates_input() -> None:
    cosigner = CosignatureSigner(WITNESS, _key(2))
    for ts in (-1, 2**63, True):
        with pytest.raises(NoteError):
            cosigner.cosign(CP.body(), ts)
    assert cosigner.cosign(CP.body(), 2**63 - 1).signature[:8] == (2**63 - 1).to_bytes(8, "big")
    with pytest.raises(NoteError):
        cosigner.cosign("not a checkpoint\n", 1)


def test_add_signature_idempotent_and_bounded(note: str, signer: NoteSigner) -> None:
    cosig = CosignatureSigner(WITNESS, _key(2)).cosign(CP.body(), 5)
    once = add_signature(note, cosig)
    assert add_signature(once, cosig) == once
    assert add_signature(note, signer.sign(CP.body())) == note
    full = (
        CP.body()
        + "\n"
        + "".join(NoteSignature(f"w{i}", b"\0" * 4, b"s").line() for i in range(MAX_SIGNATURES))
    )
    with pytest.raises(NoteError):
        add_signature(full, cosig)
    with pytest.raises(NoteError):
        add_signature("garbage", cosig)
