"""`puhui doc|lien|consent|iot` end to end in subprocesses, on both stores: the demo's invoice
verifies, its forged copy fails with a reason and exit 1, the lien registry answers, a bad
invoice is one line of error, and consent commands work from the shell."""

from __future__ import annotations

import json
from pathlib import Path

from tests.documents_support import invoice
from tests.e2e.test_cli import env, run

__all__ = ["env"]


def test_documents_from_the_shell(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    demo = run(env, "demo", "--directory", str(tmp_path / "demo"))
    assert "forged invoice caught" in demo.stdout and "second bank refused" in demo.stdout
    docs = tmp_path / "demo" / "documents"
    keys = tmp_path / "demo" / "keys"
    good = run(env, "doc", "verify", str(docs / "inv-2026-0001.document.json"))
    assert good.stdout.startswith("AUTHENTIC: ") and "confirmed by core-poultry" in good.stdout
    forged = run(env, "doc", "verify", str(docs / "inv-2026-0001.forged.json"), ok=False)
    assert forged.returncode == 1 and "ALTERED: " in forged.stderr
    assert "Traceback" not in forged.stderr
    check = run(env, "lien", "check", "--file", str(docs / "inv-2026-0001.document.json"))
    assert check.stdout.startswith("yes: lien lien-coop-0001 registered on 2026-03-02")

    draft = tmp_path / "bad.json"
    body = invoice(seller_uscc="91320500MA1P2Q3R4J", buyer_uscc="91440300MA5F7X8Y97", tax=-1)
    draft.write_text(json.dumps({"kind": "e_invoice", "body": body}))
    supplier = ["--as", "feed-supplier", "--key", str(keys / "feed-supplier.key")]
    bad = run(env, "doc", "register", str(draft), "--id", "inv-x", *supplier, ok=False)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "tax: must not be negative" in bad.stderr
    draft.write_text(json.dumps({"kind": "e_invoice", "body": body | {"tax": 1}}))
    package = tmp_path / "inv-x.json"
    run(env, "doc", "register", str(draft), "--id", "inv-x", *supplier, "--out", str(package))
    assert run(env, "doc", "verify", str(package)).stdout.startswith("AUTHENTIC")
    fp = run(env, "doc", "fingerprint", str(draft)).stdout.strip()
    city = ["--as", "city-bank", "--key", str(keys / "city-bank.key")]
    run(
        env,
        "lien",
        "register",
        "--id",
        "l-x",
        "--fingerprint",
        fp,
        "--grantor",
        "feed-supplier",
        *city,
    )
    again = run(
        env,
        "lien",
        "register",
        "--id",
        "l-y",
        "--file",
        str(draft),
        "--grantor",
        "feed-supplier",
        *city,
        ok=False,
    )
    assert "already encumbered by lien l-x" in again.stderr
    run(env, "lien", "release", "l-x", *city)
    assert run(env, "lien", "check", fp).stdout.startswith("no: lien l-x was released")
    run(
        env,
        "consent",
        "grant",
        "--id",
        "g-x",
        "--to",
        "city-bank",
        "--purpose",
        "credit_assessment",
        "--until",
        "2026-12-31",
        "--document",
        "inv-x",
        *supplier,
    )
    read = run(
        env,
        "doc",
        "read",
        "inv-x",
        "--purpose",
        "credit_assessment",
        *city,
        "--out",
        str(tmp_path / "r.json"),
    )
    assert "read recorded at entry" in read.stdout
    log = run(env, "doc", "access-log", "--owner", "feed-supplier")
    assert "city-bank" in log.stdout and "refused" in log.stdout and "granted" in log.stdout
