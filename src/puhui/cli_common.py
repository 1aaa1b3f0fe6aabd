"""What every `puhui` command group shares: consoles, one-line errors, signer options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel import clock
from puhui.kernel.errors import PuhuiError
from puhui.kernel.note import NoteError
from puhui.kernel.replay import ReplayDivergence
from puhui.kernel.verify import VerifyFailure
from puhui.kernel.witness import WitnessRefusal

EVENT_CHARS_SHOWN_MAX = 2000
"""A close of day's events can be megabytes: a receipt shows their start."""
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

KeyFile = Annotated[Path, typer.Option("--key", help="PEM private key file of the signer")]
As = Annotated[str, typer.Option("--as", help="party id of the signer")]


def fail(message: str) -> NoReturn:
    report_error(message)
    raise typer.Exit(1)


def error_line(exc: PuhuiError) -> str:
    return f"{exc.title}: {exc.detail}"


def report_error(message: str) -> None:
    """The one line every failure prints: ``error: ...`` on stderr."""
    err.print(f"[red]error:[/red] {message}", highlight=False)


@contextmanager
def errors_as_lines() -> Iterator[None]:
    try:
        yield
    except PuhuiError as exc:
        fail(error_line(exc))
    except UnicodeError:  # e.g. an argument whose bytes are not UTF-8 reaching the store
        fail("an argument or a file holds bytes that are not UTF-8 text")
    except (VerifyFailure, ReplayDivergence, WitnessRefusal, NoteError, ValueError, OSError) as exc:
        fail(str(exc))


def platform() -> Platform:
    return Platform.from_settings()


def _identity(party_id: str, key: Path) -> Identity:
    with errors_as_lines():
        return Identity.from_key_file(party_id, key)


def _today(p: Platform) -> date:
    with p.engine.connect() as conn:
        today = clock.business_date(conn)
    if today is None:
        fail("the log has no genesis entry yet: run `puhui party genesis` or `puhui demo`")
    return today


def _print_receipt(receipt: dict[str, Any]) -> None:
    note = " (repeat: first receipt)" if receipt["repeat"] else ""
    out.print(f"entry {receipt['seq']} {receipt['type']} by {receipt['actor']}{note}")
    for event in receipt["events"]:
        data = json.dumps(event["data"], ensure_ascii=False)
        if len(data) > EVENT_CHARS_SHOWN_MAX:
            data = data[:EVENT_CHARS_SHOWN_MAX] + f"... ({len(data):,} characters)"
        out.print(f"  {event['type']} {data}")
