"""The demo stories built so far, loaded by `puhui demo` (and `make run`).

In this release: the operator starts the log, registers the parties of the stories (rural
cooperative and city banks, a broiler farmer, a feed supplier, core enterprises, a tax bureau,
a guarantor, a bakery chain's suppliers, a regulator and a bank's witness), issues each an API
token and opens the charts of accounts. Then the stories:

* documents (``demo_documents``): a forged invoice is caught, a second financing of the same
  invoice is refused, a tax filing is shared by consent, IoT readings are committed;
* credit (``demo_credit``): the tax bureau attests tax figures by compute-to-data, the bank
  decides and explains, a bank without consent is refused, a revoked consent stops use;
* receivables (``demo_receivables``): a bakery chain confirms a receivable to its equipment
  maker, which passes part to Cai Shirong's shop and she to her parts supplier; a guarantor
  enhances it; the cooperative bank discounts her piece and pays her named payee; at the close
  of the maturity date every holder is paid;
* orders (``demo_orders``): the bakery chain's purchase order, signed by both sides, finances
  the equipment maker's production at Fuzhou City Bank; the loan is paid only to the maker's
  input suppliers (Cai Shirong's shop and the parts maker); a financing before the buyer's
  signature, a second financing and a tranche to anyone else are refused;
* ledger: money arrives by bank transfer and e-CNY (pending until the operator confirms) and
  the core enterprise pays the farmer in e-CNY;
* loan (``demo_loan``): the farmer rotates a key; the coop bank lends him his flock's feed,
  paid to the feed supplier by stage; the feed supplier applies for working capital (left for
  the bank to approve in the console).

Three business days close (accruing interest on the loan's first stage only). Then the
farm-loan story on the production model (``demo_agri``: a rural credit cooperative's line, a
10,000-bird flock, six feed stages paid to the supplier, a warning and a freeze, a review, the
sale repaying the cooperative first, a second cycle — 42 more business days), after which Li
settles the first loan from the sale's proceeds; the ovens of the order arrive and the bakery
chain's payment repays Fuzhou City Bank first and the maker the rest; and a witness cosigns the
checkpoint. Keys are
written under ``var/demo/`` so you can sign as any party.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from puhui import demo_agri, demo_credit, demo_documents, demo_orders, demo_receivables
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.demo_loan import load_application, load_loan_story
from puhui.kernel import checkpoints as cps
from puhui.kernel import clock, log, signing
from puhui.kernel.note import CosignatureSigner
from puhui.kernel.service import utc_now
from puhui.kernel.store.engine import begin_write
from puhui.kernel.witness import Witness
from puhui.parties import custody, views

START_DATE = date(2026, 3, 2)
PASSPHRASES = {"farmer-wang": "wang-flock-2026"}
"""Demo parties without a key file: the platform keeps their key; they sign in to the console
with this passphrase (written to passphrases.json beside tokens.json)."""
DAYS_TO_CLOSE = 3


@dataclass(frozen=True)
class DemoParty:
    party_id: str
    name: str
    kind: str
    roles: tuple[str, ...]
    uscc: str | None = None
    region: str | None = None


OPERATOR = DemoParty(
    "operator",
    "普惠平台运营方 Puhui Operator",
    "organisation",
    ("operator",),
    "91110108MA01ABCD1E",
    "110108",
)
PARTIES = (
    DemoParty(
        "coop-bank",
        "福建农村商业银行 Fujian Rural Commercial Bank",
        "organisation",
        ("bank",),
        "91350100M000100Y43",
        "350100",
    ),
    DemoParty("farmer-li", "李明 Li Ming (broiler farmer)", "person", ("farmer",), None, "350124"),
    DemoParty(
        "feed-supplier",
        "闽北饲料有限公司 Minbei Feed Co.",
        "organisation",
        ("supplier",),
        "91320500MA1P2Q3R4J",
        "350700",
    ),
    DemoParty(
        "core-poultry",
        "圣农食品 Sunner Foods (core enterprise)",
        "organisation",
        ("core_enterprise",),
        "91440300MA5F7X8Y97",
        "350700",
    ),
    DemoParty(
        "regulator",
        "人民银行福州中心支行 PBoC Fuzhou",
        "organisation",
        ("regulator",),
        "12100000400010254H",
        "350100",
    ),
    DemoParty(
        "city-bank",
        "福州城市商业银行 Fuzhou City Bank",
        "organisation",
        ("bank",),
        "91350100MA34C1T20B",
        "350100",
    ),
    DemoParty(
        "tax-bureau",
        "国家税务总局福州市税务局 Fuzhou Tax Bureau",
        "organisation",
        ("tax_authority",),
        "11350100MB01382011",
        "350100",
    ),
    DemoParty(
        "bakery-core",
        "成都面包坊连锁 Chengdu Bakery Chain (core enterprise)",
        "organisation",
        ("core_enterprise",),
        "91510100MA61RC010J",
        "510100",
    ),
    DemoParty(
        "oven-maker",
        "成都烘焙设备制造 Chengdu Bakery Equipment Co. (tier 1)",
        "organisation",
        ("supplier",),
        "91510107MA62RC020B",
        "510107",
    ),
    DemoParty(
        "cai-shirong",
        "蔡世蓉电脑配件店 Cai Shirong's computer shop (tier 2)",
        "organisation",
        ("sme",),
        "91510104MA63RC030K",
        "510104",
    ),
    DemoParty(
        "parts-maker",
        "成都电子元件厂 Chengdu Electronic Parts (tier 3)",
        "organisation",
        ("supplier",),
        "91510108MA64RC0401",
        "510108",
    ),
    DemoParty(
        "sme-guarantee",
        "成都中小企业融资担保 Chengdu SME Financing Guarantee Co.",
        "organisation",
        ("guarantor",),
        "91510100MA65RC0501",
        "510100",
    ),
    DemoParty(
        "coop-minhou",
        "闽侯县农村信用合作联社 Minhou Rural Credit Cooperative",
        "organisation",
        ("cooperative",),
        "93350121MA2Y3K4L51",
        "350124",
    ),
    DemoParty(
        "farmer-wang",
        "王芳 Wang Fang (broiler farmer, Li's neighbour)",
        "person",
        ("farmer",),
        None,
        "350124",
    ),
    DemoParty(
        "bank-witness",
        "农商行见证节点 Coop bank witness",
        "organisation",
        ("witness",),
        "91510100MA6C1D2E3E",
        "350100",
    ),
)


def _identity(keys: Path, party_id: str, suffix: str = "") -> Identity:
    path = keys / f"{party_id}{suffix}.key"
    if not path.exists():
        signing.write_private_key(path, signing.generate())
    return Identity.from_key_file(party_id, path)


def _custodial(platform: Platform, party_id: str) -> Identity:
    """A party without a device: the platform keeps its key, sealed under its passphrase too."""
    master = custody.load_master_key(
        platform.settings.custody_master_key, platform.settings.custody_master_key_file, create=True
    )
    with begin_write(platform.engine) as conn:
        key = custody.create_key(conn, master, party_id, utc_now())
        kid = signing.key_id(signing.public_bytes(key))
        custody.seal_with_passphrase(conn, master, kid, PASSPHRASES[party_id], utc_now())
    return Identity(party_id, key)


def load_demo(platform: Platform, directory: Path) -> dict[str, Any]:
    """Load the demo into an empty log; return what was created (tokens, keys, log size)."""
    with platform.engine.connect() as conn:
        if log.tree_head(conn).size > 0:
            return {"loaded": False, "reason": "the log is not empty; demo already loaded"}
    keys = directory / "keys"
    kernel = platform.kernel
    op = _identity(keys, OPERATOR.party_id)
    day = START_DATE
    kernel.submit(
        op.sign(
            "party.genesis",
            {
                "party_id": op.party_id,
                "name": OPERATOR.name,
                "uscc": OPERATOR.uscc,
                "public_key": op.public_key_b64,
            },
            day,
            "demo-genesis",
        )
    )
    identities = {OPERATOR.party_id: op}
    for party in PARTIES:
        ident = (
            _custodial(platform, party.party_id)
            if party.party_id in PASSPHRASES
            else _identity(keys, party.party_id)
        )
        identities[party.party_id] = ident
        payload = {
            "party_id": party.party_id,
            "name": party.name,
            "kind": party.kind,
            "roles": list(party.roles),
            "public_key": ident.public_key_b64,
            "uscc": party.uscc,
            "region": party.region,
        }
        kernel.submit(op.sign("party.register", payload, day, f"demo-register-{party.party_id}"))
    tokens: dict[str, str] = {}
    for party_id, ident in identities.items():
        token = new_token()
        kernel.submit(
            ident.sign(
                "party.issue_token",
                token.payload | {"label": "demo"},
                day,
                f"demo-token-{party_id}",
            )
        )
        tokens[party_id] = token.token
    stories = demo_documents.load(platform, identities, day, directory / "documents")
    _ledger_story(platform, identities, day)
    stories += demo_credit.load(platform, identities, day)
    stories += demo_receivables.load(platform, identities, day)
    stories += demo_orders.load(platform, identities, day)
    farmer_new = _identity(keys, "farmer-li", "-2")
    kernel.submit(
        identities["farmer-li"].sign(
            "party.rotate_key",
            {"party_id": "farmer-li", "new_public_key": farmer_new.public_key_b64},
            day,
            "demo-farmer-rotate",
        )
    )
    identities["farmer-li"] = farmer_new
    load_loan_story(kernel, identities, day)
    load_application(kernel, identities, day)
    for _ in range(DAYS_TO_CLOSE):
        kernel.submit(
            op.sign(
                "clock.close_day", {"date": day.isoformat()}, day, f"demo-close-{day.isoformat()}"
            )
        )
        day = date.fromordinal(day.toordinal() + 1)
    stories += demo_receivables.after_maturity(platform)
    stories += demo_agri.story(platform, identities, day)
    stories += demo_orders.after_delivery(platform, identities)
    with platform.engine.connect() as conn:
        day = clock.business_date(conn) or day
    stories += demo_receivables.second_order(platform, identities, day)
    stories += demo_credit.farm_decision(platform, identities, day)
    size = witness_cosign(platform, keys)
    (directory / "tokens.json").write_text(json.dumps(tokens, indent=2) + "\n", encoding="utf-8")
    (directory / "passphrases.json").write_text(
        json.dumps(PASSPHRASES, indent=2) + "\n", encoding="utf-8"
    )
    return {
        "loaded": True,
        "log_size": size,
        "tokens": tokens,
        "keys": str(keys),
        "business_date": day.isoformat(),
        "stories": stories,
    }


CHARTS = (
    ("operator", "operator"),
    ("coop-bank", "bank"),
    ("farmer-li", "farmer"),
    ("feed-supplier", "supplier"),
    ("core-poultry", "core_enterprise"),
    ("coop-minhou", "cooperative"),
    ("farmer-wang", "farmer"),
)


def _ledger_story(platform: Platform, ids: dict[str, Identity], day: date) -> None:
    """Charts of accounts, deposits on external rails (pending until confirmed), an e-CNY sale."""
    kernel = platform.kernel

    def submit(who: str, ctype: str, payload: dict[str, Any], key: str) -> None:
        kernel.submit(ids[who].sign(ctype, payload, day, f"demo-{key}"))

    def transfer(who: str, key: str, **item: Any) -> None:
        submit(who, "accounts.transfer", {"transfers": [{"id": f"demo-{key}", **item}]}, key)

    for party_id, role in CHARTS:
        submit(
            party_id,
            "accounts.open_chart",
            {"party_id": party_id, "role": role},
            f"chart-{party_id}",
        )
    transfer(
        "operator",
        "deposit-bank",
        debit="operator:bank_clearing:cny",
        credit="coop-bank:cash:cny",
        amount=500_000_000,
        rail="bank_transfer",
        external_ref="CNAPS-20260302-0001",
    )
    transfer("operator", "deposit-bank-confirmed", post="demo-deposit-bank")
    transfer(
        "operator",
        "deposit-core",
        debit="operator:ecny_clearing:ecny",
        credit="core-poultry:ecny_wallet:ecny",
        amount=10_000_000,
        rail="ecny",
        external_ref="ECNY0000000000000042",
    )
    transfer("operator", "deposit-core-confirmed", post="demo-deposit-core")
    transfer(
        "core-poultry",
        "broiler-sale",
        debit="core-poultry:ecny_wallet:ecny",
        credit="farmer-li:ecny_wallet:ecny",
        amount=1_500_000,
        reference="order:broiler-batch-1",
    )


def witness_cosign(platform: Platform, keys: Path) -> int:
    """The bank's witness cosigns the current checkpoint, given the proof that it extends the
    last one it cosigned (in production: on its own host, see `puhui witness`)."""
    ident = _identity(keys, "bank-witness")
    witness = Witness(
        "bank-witness",
        CosignatureSigner("bank-witness", ident.key),
        platform.log_signer.verifier_key(),
        keys / "bank-witness.state.json",
    )
    with begin_write(platform.engine) as conn:
        checkpoint = cps.publish(conn, platform.log_signer, utc_now())
        last = witness.state()
        proof = [] if last is None else log.consistency_proof(conn, last.size, checkpoint.size)
        signature = witness.cosign(checkpoint.note, proof, int(time.time()))
        cps.add_cosignature(conn, checkpoint.size, signature.line(), views.witness_keys(conn))
    return checkpoint.size
