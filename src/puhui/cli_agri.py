"""`puhui agri ...`: production templates and the interest they imply, lines, flocks, alerts,
batches; and the farm's, lender's, supplier's and buyer's signed commands. Commands are signed
with ``--as``/``--key`` like `puhui submit`; reads go straight to the configured database."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from puhui import cli_common as cli
from puhui.cli_lending import _print, _read
from puhui.cli_lending import _sign_and_submit as _submit
from puhui.finance.agri import views
from puhui.finance.agri.model import interest_comparison, stage_plan
from puhui.finance.agri.readings import summarise

agri_app = typer.Typer(help="Production-model farm loans", no_args_is_help=True)
As = Annotated[str, typer.Option("--as", help="party id of the signer")]
KeyFile = Annotated[Path, typer.Option("--key", help="PEM private key file of the signer")]


def _json_file(file: Path) -> Any:
    with cli.errors_as_lines():
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            cli.fail(f"cannot read {file}: {exc}")


@agri_app.command("templates")
def templates() -> None:
    found = _read(lambda conn: views.list_templates(conn))
    table = Table("template", "species", "days", "feed g/animal", "feed fen/kg", "stages")
    for t in found:
        table.add_row(
            t.template_id,
            t.species,
            str(t.cycle_days),
            f"{t.feed_g_total():,}",
            str(t.feed_price_fen_per_kg),
            str(len(t.stages)),
        )
    cli.out.print(table)


@agri_app.command("interest")
def interest(
    template: str,
    rate: Annotated[str, typer.Option(help="annual rate, e.g. 0.087")] = "0.087",
    animals: Annotated[int, typer.Option(min=1)] = 10_000,
) -> None:
    """The stage plan and the interest per animal of staged vs lump-sum funding."""
    try:
        annual = Decimal(rate)
    except InvalidOperation:
        cli.fail(f"rate {rate!r} is not a decimal")
    t = _read(lambda conn: views.get_template(conn, template))
    _print(
        {
            "plan": [s.to_json() for s in stage_plan(t, animals)],
            "interest_per_animal": interest_comparison(t, annual, animals).to_json(),
        }
    )


@agri_app.command("line")
def line(line_id: str) -> None:
    """A line with the model's computation (inputs and figures)."""
    _print(_read(lambda conn: views.line_json(conn, line_id)))


@agri_app.command("flock")
def flock(flock_id: str) -> None:
    """A flock: plan, stages drawn, frozen, orders, alerts, sales."""
    _print(_read(lambda conn: views.flock_json(conn, flock_id)))


@agri_app.command("alerts")
def alerts(
    flock_id: Annotated[str | None, typer.Option("--flock")] = None,
    status: Annotated[str | None, typer.Option()] = None,
) -> None:
    found = _read(lambda conn: views.list_alerts(conn, flock_id=flock_id, status=status, limit=500))
    table = Table("alert", "severity", "status", "reason")
    for a in found:
        table.add_row(a["alert_id"], a["severity"], a["status"], a["reason"])
    cli.out.print(table)


@agri_app.command("batches")
def batches(farm_id: str) -> None:
    _print(_read(lambda conn: views.list_batches(conn, farm_id)))


@agri_app.command("submit")
def submit(command_type: str, file: Path, signer: As, key: KeyFile) -> None:
    """Sign and submit an ``agri.*`` command whose payload is the JSON FILE."""
    if not command_type.startswith("agri."):
        cli.fail("puhui agri submit takes agri.* commands")
    _submit(signer, key, command_type, _json_file(file))


@agri_app.command("readings")
def readings(
    file: Path,
    flock_id: Annotated[str, typer.Option("--flock")],
    device_id: Annotated[str, typer.Option("--device")],
    day: Annotated[str, typer.Option(help="YYYY-MM-DD (default: the business date)")] = "",
    signer: As = "",
    key: KeyFile = Path(),
) -> None:
    """Summarise a device's raw readings (a JSON list of [t_ms, metric, value]) and record."""
    raw = _json_file(file)
    if not isinstance(raw, list):
        cli.fail("the readings file must hold a JSON list of [t_ms, metric, value]")
    row = summarise(flock_id, device_id, raw)
    if not signer:
        _print(row)
        return
    date = day or cli._today(cli.platform()).isoformat()
    _submit(signer, key, "agri.record_readings", {"day": date, "rows": [row]})
