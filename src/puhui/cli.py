"""The `puhui` command line. Every command uses the database named by PUHUI_DATABASE_URL.

Errors print one line to stderr and exit non-zero; nothing prints a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from puhui.cli_accounts import accounts_app, transfer_app
from puhui.cli_agri import agri_app
from puhui.cli_common import (
    As,
    KeyFile,
    _identity,
    _print_receipt,
    _today,
    err,
    error_line,
    errors_as_lines,
    fail,
    out,
    platform,
    report_error,
)
from puhui.cli_credit import credit_app
from puhui.cli_documents import consent_app, doc_app, iot_app, lien_app
from puhui.cli_lending import loan_app
from puhui.cli_orders import orders_app
from puhui.cli_receivables import receivable_app
from puhui.client import Client, Identity
from puhui.credit.intake import CHECKED_COMMANDS
from puhui.documents.intake import CONTENT_COMMANDS
from puhui.finance.receivables.intake import ISSUE_COMMAND
from puhui.kernel import log as log_store
from puhui.kernel import signing
from puhui.kernel.export import export as export_log
from puhui.kernel.note import CosignatureSigner
from puhui.kernel.replay import replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.store.failures import as_store_error
from puhui.kernel.verify import verify_export
from puhui.kernel.witness import Witness
from puhui.parties import custody, views

app = typer.Typer(
    help="普惠 puhui — verifiable record and credit platform",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
party_app = typer.Typer(help="Parties, keys and tokens", no_args_is_help=True)
log_app = typer.Typer(help="The verifiable log", no_args_is_help=True)
clock_app = typer.Typer(help="The business clock", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(party_app, name="party")
app.add_typer(log_app, name="log")
app.add_typer(clock_app, name="clock")
app.add_typer(doc_app, name="doc")
app.add_typer(consent_app, name="consent")
app.add_typer(lien_app, name="lien")
app.add_typer(iot_app, name="iot")
app.add_typer(accounts_app, name="accounts")
app.add_typer(agri_app, name="agri")
app.add_typer(transfer_app, name="transfer")
app.add_typer(loan_app, name="loan")
app.add_typer(credit_app, name="credit")
app.add_typer(receivable_app, name="receivable")
app.add_typer(orders_app, name="orders")


def _progress(total: int, label: str) -> tuple[Progress, Callable[[int], None]]:
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(label, total=total)
    return bar, lambda done: bar.update(task, completed=done)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API (/api/v1) and the console (/)."""
    import uvicorn

    from puhui.api.app import create_app

    uvicorn.run(create_app(platform()), host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest version; create the log key if missing."""
    from puhui.kernel.store.migrate import upgrade  # Alembic: 0.2 s no other command needs

    p = platform()
    with errors_as_lines():
        upgrade(p.engine)
        signer = p.log_signer
        custody.load_master_key(
            p.settings.custody_master_key, p.settings.custody_master_key_file, create=True
        )
    out.print(f"database at head: {p.engine.url.render_as_string(hide_password=True)}")
    out.print(f"log key: {signer.verifier_key()}")


@app.command()
def keygen(out_file: Annotated[Path, typer.Option("--out", help="where to write the key")]) -> None:
    """Generate an Ed25519 key (PEM, mode 0600) and print its public key and key id."""
    with errors_as_lines():
        key = signing.generate()
        signing.write_private_key(out_file, key)
    public = signing.public_bytes(key)
    out.print(f"key_id {signing.key_id(public)}\npublic_key {signing.b64encode(public)}")


@party_app.command("genesis")
def party_genesis(
    party_id: Annotated[str, typer.Option("--id")],
    name: Annotated[str, typer.Option()],
    key: KeyFile,
    start: Annotated[str, typer.Option(help="first business date")],
    uscc: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Start an empty log: the operator registers itself and the clock starts at --start."""
    ident = _identity(party_id, key)
    with errors_as_lines():
        payload = {
            "party_id": party_id,
            "name": name,
            "uscc": uscc,
            "public_key": ident.public_key_b64,
        }
        receipt = platform().kernel.submit(
            ident.sign("party.genesis", payload, date.fromisoformat(start), "genesis")
        )
    _print_receipt(receipt.to_json())


@party_app.command("register")
def party_register(
    party_id: Annotated[str, typer.Option("--id")],
    name: Annotated[str, typer.Option()],
    role: Annotated[list[str], typer.Option(help="repeat for several roles")],
    signer: As,
    key: KeyFile,
    kind: Annotated[str, typer.Option(help="organisation or person")] = "organisation",
    uscc: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option(help="6-digit region code")] = None,
    public_key: Annotated[str | None, typer.Option(help="base64 Ed25519 public key")] = None,
    custodial: Annotated[bool, typer.Option(help="platform keeps the party's key")] = False,
) -> None:
    """Register an organisation or person (signed by an operator)."""
    p = platform()
    ident = _identity(signer, key)
    if (public_key is None) == (not custodial):
        fail("give exactly one of --public-key or --custodial")
    with errors_as_lines():
        if custodial:
            master = custody.load_master_key(
                p.settings.custody_master_key, p.settings.custody_master_key_file, create=True
            )
            with p.engine.begin() as conn:
                held = custody.create_key(conn, master, party_id, utc_now())
            public_key = signing.b64encode(signing.public_bytes(held))
        payload = {
            "party_id": party_id,
            "name": name,
            "kind": kind,
            "uscc": uscc,
            "region": region,
            "roles": role,
            "public_key": public_key,
        }
        receipt = p.kernel.submit(
            ident.sign("party.register", payload, _today(p), f"register-{party_id}")
        )
    _print_receipt(receipt.to_json())


@party_app.command("passphrase")
def party_passphrase(
    party_id: Annotated[str, typer.Option("--id")],
    passphrase_file: Annotated[
        Path, typer.Option(help="a file holding the passphrase (one line; - reads stdin)")
    ],
) -> None:
    """Seal a party's custodial key under its passphrase, for signing in to the console."""
    p = platform()
    text = sys.stdin.readline() if str(passphrase_file) == "-" else passphrase_file.read_text()
    with errors_as_lines():
        master = custody.load_master_key(
            p.settings.custody_master_key, p.settings.custody_master_key_file
        )
        with p.engine.begin() as conn:
            active = {k.key_id for k in views.keys_of(conn, party_id, active_only=True)}
            usable = [k for k in custody.custodial_key_ids(conn, party_id) if k in active]
            if not usable:
                fail(f"{party_id} has no active custodial key (register it with --custodial)")
            custody.seal_with_passphrase(conn, master, usable[0], text.strip("\n"), utc_now())
    out.print(f"{party_id} signs in to the console with its passphrase (key {usable[0]})")


@party_app.command("list")
def party_list(role: str | None = None, limit: int = 100) -> None:
    """List registered parties."""
    with platform().engine.connect() as conn:
        found = views.list_parties(conn, role=role, limit=limit)
    table = Table("party", "name", "kind", "USCC", "roles", "status")
    for party in found:
        table.add_row(
            party.party_id,
            party.name,
            party.kind,
            party.uscc or "",
            ",".join(party.roles),
            party.status,
        )
    out.print(table)


@party_app.command("token")
def party_token(signer: As, key: KeyFile, label: str = "cli") -> None:
    """Issue an API token for the signer; prints it once (only its hash is stored)."""
    from puhui.api.auth import new_token

    p = platform()
    ident = _identity(signer, key)
    token = new_token()
    with errors_as_lines():
        p.kernel.submit(
            ident.sign(
                "party.issue_token",
                token.payload | {"label": label},
                _today(p),
                f"token-{token.token_id}",
            )
        )
    out.print(token.token)


@app.command()
def submit(
    file: Annotated[
        Path, typer.Argument(help="JSON: {type, payload[, idempotency_key]} or a signed command")
    ],
    signer: Annotated[str | None, typer.Option("--as")] = None,
    key: Annotated[Path | None, typer.Option("--key")] = None,
) -> None:
    """Sign (with --as/--key) and submit a command from a JSON file."""
    p = platform()
    with errors_as_lines():
        data = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            fail("the file must hold a JSON object")
        inner = data.get("command") if "signature" in data else data
        command_type = inner.get("type") if isinstance(inner, dict) else None
        if command_type in CONTENT_COMMANDS:
            fail(f"{command_type} travels with its content: use `puhui doc register`")
        if command_type in CHECKED_COMMANDS:
            fail(f"{command_type} is checked before submission: use `puhui credit`")
        if command_type == ISSUE_COMMAND:
            fail(f"{command_type} is checked against its invoices: use `puhui receivable issue`")
        if "signature" in data:
            receipt = p.kernel.submit(data)
        else:
            if signer is None or key is None:
                fail("an unsigned command needs --as and --key")
            ident = _identity(signer, key)
            signed = ident.sign(
                data.get("type", ""),
                data.get("payload", {}),
                _today(p),
                data.get("idempotency_key"),
            )
            receipt = p.kernel.submit(signed)
    _print_receipt(receipt.to_json())


@clock_app.command("close-day")
def close_day(signer: As, key: KeyFile) -> None:
    """Close the current business day (operator)."""
    p = platform()
    ident = _identity(signer, key)
    today = _today(p)
    with errors_as_lines():
        receipt = p.kernel.submit(
            ident.sign(
                "clock.close_day", {"date": today.isoformat()}, today, f"close-{today.isoformat()}"
            )
        )
    _print_receipt(receipt.to_json())


@app.command("export")
def export_cmd(directory: Path) -> None:
    """Write the whole log (entries, checkpoints, signed state digest) to DIRECTORY."""
    p = platform()
    with errors_as_lines():
        with p.engine.connect() as conn:
            size = log_store.tree_head(conn).size
        bar, advance = _progress(size, "export")
        with bar:
            summary = export_log(p.engine, p.log_signer, directory, utc_now(), advance)
    out.print(
        f"exported {summary.size} entries and {summary.checkpoints} checkpoints to "
        f"{directory} (state {summary.state_digest})"
    )


def _read_vkey(value: str) -> str:
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if path.is_file() else value


@app.command()
def verify(
    directory: Path,
    log_key: Annotated[str, typer.Option("--log-key", help="verifier key or a file holding it")],
) -> None:
    """Verify an export offline: signatures, Merkle roots, consistency, full replay."""
    from puhui.bootstrap import build_registry

    with errors_as_lines():
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        bar, advance = _progress(int(manifest.get("size", 0)), "verify")
        with bar:
            summary = verify_export(
                directory,
                _read_vkey(log_key),
                build_registry(),
                lambda conn: views.witness_keys(conn, active_only=False),
                advance,
            )
    out.print(summary.line())


@app.command()
def replay() -> None:
    """Rebuild every projection from the log in place and print the state digest."""
    p = platform()
    with errors_as_lines():
        with p.engine.connect() as conn:
            size = log_store.tree_head(conn).size
        bar, advance = _progress(size, "replay")
        with bar:
            summary = replay_in_place(p.engine, p.registry, advance)
    out.print(f"replayed {summary.size} entries; state {summary.state_digest}")


@log_app.command("key")
def log_key_cmd() -> None:
    """Print the log's verifier key (C2SP note format)."""
    with errors_as_lines():
        out.print(platform().log_signer.verifier_key(), highlight=False)


@app.command()
def witness(
    name: Annotated[str, typer.Option(help="the witness party id (its cosigning key name)")],
    key: KeyFile,
    log_key: Annotated[str, typer.Option("--log-key")],
    state: Annotated[Path, typer.Option(help="file keeping the last cosigned checkpoint")],
    url: Annotated[str, typer.Option(help="base URL of the puhui API")] = "http://127.0.0.1:8000",
) -> None:
    """Cosign the log's latest checkpoint if consistent with the last one this witness saw."""
    with errors_as_lines():
        ident = Identity.from_key_file(name, key)
        wit = Witness(name, CosignatureSigner(name, ident.key), _read_vkey(log_key), state)
        with Client(url) as api:
            checkpoint = api.checkpoint()
            last = wit.state()
            proof: list[bytes] = []
            if last is not None and 0 < last.size < checkpoint["size"]:
                proof = [
                    signing.b64decode(h)
                    for h in api.consistency_proof(last.size, checkpoint["size"])
                ]
            signature = wit.cosign(checkpoint["note"], proof, int(time.time()))
            api.post_cosignature(checkpoint["size"], signature.line())
    out.print(f"cosigned size {checkpoint['size']} as {name}")


@app.command()
def demo(
    directory: Annotated[Path, typer.Option(help="where demo keys and tokens go")] = Path(
        "var/demo"
    ),
) -> None:
    """Load the demo stories into the configured database (once)."""
    from puhui.demo import load_demo

    with errors_as_lines():
        result = load_demo(platform(), directory)
    if not result["loaded"]:
        out.print(result["reason"])
        return
    out.print(
        f"demo loaded: {result['log_size']} entries, business date "
        f"{result['business_date']}; keys in {result['keys']}"
    )
    for party_id, token in result["tokens"].items():
        out.print(f"  token {party_id}: {token}", highlight=False)
    for line in result["stories"]:
        out.print(f"  {line}", highlight=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except DBAPIError as exc:
        error = as_store_error(exc)
        if error is None:
            raise
        report_error(error_line(error))
        sys.exit(1)


if __name__ == "__main__":
    main()
