"""`puhui credit`: train and report models, register them, set policies, decide, explain,
monitor, compute features in batch, and tax-data consent and attestation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from puhui.cli_common import (
    As,
    KeyFile,
    _identity,
    _print_receipt,
    _today,
    errors_as_lines,
    fail,
    out,
    platform,
)
from puhui.cli_documents import _submit
from puhui.client_credit import sign_model_registration
from puhui.credit import features, intake, monitoring, views
from puhui.credit.explain import explain
from puhui.kernel.service import utc_now

credit_app = typer.Typer(
    help="Credit engine: models, decisions, explanations", no_args_is_help=True
)
Dataset = Annotated[str, typer.Option(help="german, credit_data or synthetic_sme")]


def _train(dataset: str, model_id: str, out_dir: Path, repeats: int, folds: int) -> Path:
    from puhui.credit import datasets, evaluation, fitting, report, training

    data = datasets.load(dataset)
    with Progress(transient=True) as bar:
        task = bar.add_task(f"cross-validating on {data.name}", total=repeats * folds)
        cv = evaluation.cross_validate(
            data, repeats, folds, progress=lambda n: bar.advance(task, n)
        )
    fitted = fitting.fit_selected(data)  # C and features chosen by inner CV on all rows
    card = fitted.model
    card_json = report.model_card(model_id, card, data, cv, fitted.selection.to_json())
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / f"{model_id}.scorecard.json"
    model_path.write_bytes(card.raw)
    (out_dir / f"{model_id}.card.json").write_text(json.dumps(card_json, indent=2) + "\n")
    challenger = training.fit_gbm(data)
    (out_dir / f"{model_id}.gbm.txt").write_text(challenger.booster_.model_to_string())
    page = report.html_report(card_json, card, cv, data.y)
    (out_dir / f"{model_id}.report.html").write_text(page, encoding="utf-8")
    return model_path


@credit_app.command("train")
def train(
    dataset: Dataset = "synthetic_sme",
    model_id: Annotated[str, typer.Option("--id")] = "sme-card",
    out_dir: Annotated[Path, typer.Option("--out")] = Path("var/models"),
    repeats: Annotated[int, typer.Option(min=1, max=50)] = 1,
    folds: Annotated[int, typer.Option(min=2, max=20)] = 5,
) -> None:
    """Fit a scorecard (and a LightGBM challenger) and write the model file, its model card,
    the challenger and an HTML evaluation report to --out."""
    with errors_as_lines():
        path = _train(dataset, model_id, out_dir, repeats, folds)
        card = json.loads((out_dir / f"{model_id}.card.json").read_text())
    m = card["metrics"]
    out.print(f"model {path} sha256 {card['sha256']}")
    out.print(f"scorecard {m['scorecard']}  challenger {m['gbm_challenger']}")
    out.print(f"report {out_dir / f'{model_id}.report.html'}")


@credit_app.command("report")
def report_cmd(
    dataset: Dataset = "synthetic_sme",
    model_id: Annotated[str, typer.Option("--id")] = "sme-card",
    out_dir: Annotated[Path, typer.Option("--out")] = Path("var/models"),
    repeats: Annotated[int, typer.Option(min=1, max=50)] = 1,
) -> None:
    """Re-run the evaluation and write the HTML report (ROC, KS, calibration, scores, bins)."""
    with errors_as_lines():
        _train(dataset, model_id, out_dir, repeats, 5)
    out.print(f"report {out_dir / f'{model_id}.report.html'}")


@credit_app.command("register")
def register(
    model_file: Path,
    model_id: Annotated[str, typer.Option("--id")],
    signer: As,
    key: KeyFile,
    card_file: Annotated[Path | None, typer.Option("--card", help="model card JSON")] = None,
    kind: str = "scorecard",
) -> None:
    """Register a model: its hash, training data digest, feature version and metrics go on the
    log; the file is stored off-log. Only registered models decide."""
    p = platform()
    with errors_as_lines():
        content = model_file.read_bytes()
        card = json.loads(card_file.read_text()) if card_file else {}
        metrics = {k: str(v) for k, v in card.get("metrics", {}).get("scorecard", {}).items()}
        version = card.get("feature_version") or json.loads(content)["feature_version"]
        signed = sign_model_registration(
            _identity(signer, key),
            model_id,
            kind,
            content,
            feature_version=version,
            training_data_sha256=card.get("training", {}).get("data_sha256", "0" * 64),
            metrics=metrics,
            business_date=_today(p),
        )
        receipt = intake.register_model(p.engine, p.kernel.submit, signed, content, utc_now())
    _print_receipt(receipt.to_json())


@credit_app.command("policy")
def set_policy(policy_file: Path, signer: As, key: KeyFile) -> None:
    """Set a product's credit policy from a JSON file (rules as data)."""
    with errors_as_lines():
        policy = json.loads(policy_file.read_text())
    _submit("credit.set_policy", {"policy": policy}, signer, key)


@credit_app.command("decide")
def decide(
    decision_id: Annotated[str, typer.Option("--id")],
    applicant: Annotated[str, typer.Option()],
    product: Annotated[str, typer.Option()],
    model: Annotated[str, typer.Option()],
    signer: As,
    key: KeyFile,
) -> None:
    """Assess the applicant under your consents, score with the registered model, sign and
    record the decision."""
    p = platform()
    ident = _identity(signer, key)
    today = _today(p)
    with errors_as_lines():
        assessment = intake.assess(
            p.engine,
            decision_id=decision_id,
            lender=signer,
            applicant=applicant,
            product_id=product,
            model_id=model,
            as_of=today,
            sources=p.credit_sources,
            now=utc_now(),
        )
        signed = ident.sign("credit.decide", assessment.payload, today, f"decide-{decision_id}")
        receipt = intake.submit_decision(p.engine, p.kernel.submit, signed)
    _print_receipt(receipt.to_json())


@credit_app.command("explain")
def explain_cmd(decision_id: str) -> None:
    """Reproduce a decision bit for bit from the log and stored inputs, and show why."""
    with errors_as_lines(), platform().engine.connect() as conn:
        why = explain(conn, decision_id)
    d = why.decision
    verdict = "REPRODUCED bit for bit" if why.reproduced else f"DIFFERS: {why.differences}"
    out.print(f"{d.decision_id}: {d.outcome} for {d.applicant} by {d.lender} on {d.decided_on}")
    out.print(f"score {d.score}, PD {d.pd}, limit {d.limit_fen} fen, rate {d.rate} — {verdict}")
    out.print(f"model {d.model_id} sha256 {why.model_sha256}; inputs {d.inputs_sha256}")
    table = Table("feature", "value", "bin", "points", "best")
    for row in why.characteristics:
        table.add_row(*(str(row[k]) for k in ("feature", "value", "bin", "points", "best_points")))
    out.print(table)
    for reason in json.loads(d.reasons):
        out.print(f"  reason: {reason['text']}")
    for rule in why.policy_reasons:
        out.print(f"  policy: {rule}")
    if not why.reproduced:
        raise typer.Exit(1)


@credit_app.command("monitor")
def monitor(model_id: str, since: Annotated[str, typer.Option(help="YYYY-MM-DD")]) -> None:
    """PSI of scores and CSI of features: recent decisions vs training; exit 2 on an alert."""
    with errors_as_lines(), platform().engine.connect() as conn:
        result = monitoring.stability(conn, model_id, date.fromisoformat(since))
    data = result.to_json()
    out.print(
        f"{data['decisions']} decisions; score PSI {data['score_psi']} ({data['score_status']})"
    )
    for name, value in data["characteristics"].items():
        out.print(f"  {name}: CSI {value} ({monitoring.status(value)})")
    if result.alerts:
        out.print(f"ALERT: {', '.join(result.alerts)}")
        raise typer.Exit(2)


@credit_app.command("features")
def batch_features(
    applicants: Annotated[str, typer.Option(help="comma-separated party ids")],
    lender: Annotated[str, typer.Option(help="whose consents apply")],
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Compute the features of many applicants as of a date (with a progress bar)."""
    p = platform()
    day = date.fromisoformat(as_of) if as_of else _today(p)
    names = [a for a in applicants.split(",") if a]
    rows: dict[str, Any] = {}
    with errors_as_lines(), p.engine.connect() as conn, Progress(transient=True) as bar:
        task = bar.add_task("features", total=len(names))
        for name in names:
            record, _att = intake.gather(conn, name, lender, day, p.credit_sources)
            rows |= features.compute_many([record], day, lambda n: bar.advance(task, n))
    out.print(json.dumps(rows, indent=2, ensure_ascii=False))


@credit_app.command("tax-consent")
def tax_consent(
    consent_id: Annotated[str, typer.Option("--id")],
    bank: Annotated[str, typer.Option()],
    tax_authority: Annotated[str, typer.Option("--tax-authority")],
    fields: Annotated[str, typer.Option(help="comma-separated tax fields")],
    until: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    signer: As,
    key: KeyFile,
) -> None:
    """As the firm: let the tax authority attest the named tax figures to the bank."""
    payload = {
        "consent_id": consent_id,
        "bank": bank,
        "tax_authority": tax_authority,
        "fields": fields.split(","),
        "valid_until": until,
    }
    _submit("credit.authorize_tax_data", payload, signer, key)


@credit_app.command("tax-revoke")
def tax_revoke(consent_id: str, signer: As, key: KeyFile) -> None:
    """As the firm: revoke a tax-data consent; no further attestation or decision may use it."""
    _submit("credit.revoke_tax_data", {"consent_id": consent_id}, signer, key)


@credit_app.command("tax-attest")
def tax_attest(
    attestation_id: Annotated[str, typer.Option("--id")],
    consent_id: Annotated[str, typer.Option("--consent")],
    signer: As,
    key: KeyFile,
) -> None:
    """As the tax authority: compute the consented figures from the filings you hold, on your
    side, and sign them. The bank receives the figures, never the filings."""
    from puhui.credit import tax

    p = platform()
    today = _today(p)
    with errors_as_lines(), p.engine.connect() as conn:
        granted = views.get_tax_consent(conn, consent_id)
        filings, ratings = tax.held_records(conn, signer, granted.firm)
        values = tax.attestation_values(granted, signer, filings, ratings, today)
    if not filings and not ratings:
        fail(f"{signer} holds no filings of {granted.firm}")
    payload = {"attestation_id": attestation_id, "consent_id": consent_id, "values": values}
    _submit("credit.attest_tax", payload, signer, key)
