"""The console in real Chromium (Debian's package, driven by Playwright) against a real server
holding the demo, on SQLite and PostgreSQL: each role signs in and does its main action through
the UI — the bank approves a loan application, the regulator traces a loan's funds and checks an
inclusion proof, the core enterprise confirms a delivery, the supplier grants consent — checked on
the page and on the log. Bad input gets a message beside the field in the chosen language and
submits nothing. One demo-loaded server per backend serves the whole module."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from puhui.credit import views as credit
from puhui.credit.features import FEATURES, label_of
from puhui.demo import witness_cosign
from puhui.documents import views as documents
from puhui.finance.agri import views as agri
from puhui.lending import history
from puhui.lending import views as lending
from puhui.parties import custody
from tests.e2e.console_support import Served, browser, nav_pages, page, served, sign_in, yuan

__all__ = ["browser", "page", "served"]  # fixtures used by the tests below

pytestmark = pytest.mark.slow


def test_bank_approves_a_loan_application_beside_its_credit_decision(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "coop-bank", with_key=True)
    assert nav_pages(page)[:4] == ["applications", "loans", "decisions", "portfolio"]
    row = page.locator("#applications tr", has_text="loan-feed-wc-1")
    with served.platform.engine.connect() as conn:
        score = credit.get_decision(conn, "dec-coop-0001").score
    expect(row).to_contain_text(str(score))  # the credit story's score, beside the application
    expect(row).to_contain_text("通过")
    row.locator("a").first.click()
    expect(page.locator(".card[data-decision=dec-coop-0001] .reasons li")).to_have_count(4)
    before = served.log_size()

    page.fill("#amount", "six hundred")
    page.fill("#annual_rate", "30")
    page.click("#approve")
    expect(page.locator("#amount-error")).to_have_text("请输入金额，如 1234.56")
    expect(page.locator("#annual_rate-error")).to_have_text("产品利率范围 3%–15%")
    page.fill("#amount", "600,000")
    page.click("#calculate")
    expect(page.locator("#amount-error")).to_have_text("不能超过申请金额 ¥300,000.00")
    page.click("#lang")  # the same checks in English
    page.fill("#amount", "")
    page.fill("#annual_rate", "6.8%%")
    page.click("#approve")
    expect(page.locator("#amount-error")).to_have_text("Required")
    expect(page.locator("#annual_rate-error")).to_have_text("Enter a percentage, e.g. 6.8")
    assert served.log_size() == before

    page.fill("#amount", "250,000.00")
    page.fill("#annual_rate", "6.8")
    page.select_option("#credit_decision_id", "dec-coop-0001")
    page.click("#calculate")
    offer = httpx.post(  # the platform's own disclosure of the same offer, today
        served.url + "/api/v1/lending/offers",
        json={
            "product_id": "coop-sme-working-capital",
            "amount": 25_000_000,
            "term_periods": 12,
            "annual_rate": "0.068",
        },
    ).json()
    apr_percent = (Decimal(offer["apr"]) * 100).quantize(Decimal("0.0001"))
    expect(page.locator("#offer-apr")).to_have_text(f"{apr_percent}%")
    page.click("#approve")
    expect(page.locator("#receipt-link")).to_be_visible()
    expect(page.locator("#loan-status")).to_have_text("approved")
    assert served.log_size() == before + 1
    command = served.last_command()
    assert command["type"] == "lending.approve" and command["actor"] == "coop-bank"
    assert command["payload"] == {
        "loan_id": "loan-feed-wc-1",
        "annual_rate": "0.068",
        "amount": 25_000_000,
        "credit_decision_id": "dec-coop-0001",
    }
    with served.platform.engine.connect() as conn:
        loan = lending.get_loan(conn, "loan-feed-wc-1")
    assert (loan.status, loan.amount_approved, loan.decision_ref) == (
        "approved",
        25_000_000,
        "dec-coop-0001",
    )
    page.click("#receipt-link")
    expect(page.locator("#entry-type")).to_have_text("lending.approve")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("Verified")

    page.click("nav a[data-page=portfolio]")
    expect(page.locator("#portfolio-chart .bar")).to_have_count(5)
    with served.platform.engine.connect() as conn:
        book = lending.portfolio(conn, "coop-bank")
    outstanding = sum(r["principal_outstanding"] for r in book if r["currency"] == "CNY")
    expect(page.locator("#portfolio-total")).to_have_text(yuan(outstanding))
    expect(page.locator("#npl-ratio")).to_have_text("0.00%" if outstanding else "—")


def test_regulator_traces_a_loans_funds_and_checks_an_inclusion_proof(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "regulator")
    assert nav_pages(page)[:6] == [
        "supervision",
        "trace",
        "receivables",
        "checkpoint",
        "verify",
        "parties",
    ]
    expect(page.locator("#concentration-lender")).to_contain_text("coop-bank")
    expect(page.locator("#concentration-lender")).to_contain_text("100.00%")
    page.click("nav a[data-page=trace]")
    page.fill("#loan_id", "no such loan")
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#loan_id-error")).to_have_text("只能使用字母、数字、点、横线和下划线")
    page.fill("#loan_id", "loan-nobody-took")
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#loan_id-error")).to_have_text("该贷款没有资金往来")
    page.fill("#loan_id", "loan-li-flock-1")
    page.click("#trace-form button[type=submit]")
    expect(page.locator("#trace-payees")).to_contain_text("feed-supplier")
    expect(page.locator("#trace-payees")).to_contain_text("¥80,000.00")
    expect(page.locator("#trace-transfers")).to_contain_text("feed-supplier ← loan:loan-li-flock-1")
    with served.platform.engine.connect() as conn:
        disbursed = lending.get_loan(conn, "loan-li-flock-1").disbursed
    assert disbursed == 8_000_000  # what the page shows is what the record holds

    witness_cosign(served.platform, served.keys)  # the bank's witness cosigns the log as it is
    page.click("nav a[data-page=checkpoint]")
    expect(page.locator("#log-size")).to_have_text(str(served.log_size()))
    expect(page.locator("#log-signature")).to_have_class("ok")
    expect(page.locator("#witnesses")).to_contain_text("bank-witness")
    expect(page.locator("#witnesses .ok")).to_have_count(1)  # the cosignature checked here

    page.click("nav a[data-page=verify]")
    page.fill("#seq", "sixty")
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#seq-error")).to_have_text("请输入条目编号（整数）")
    page.fill("#seq", "999999")
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#seq-error")).to_have_text("没有这个条目")
    with served.platform.engine.connect() as conn:
        seq = lending.get_loan(conn, "loan-li-flock-1").approved_seq
    page.fill("#seq", str(seq))
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#verify-result")).to_contain_text("已验证")
    expect(page.locator("#verify-form")).to_contain_text("lending.approve")


def test_an_inclusion_check_catches_a_tampered_entry(page: Page, served: Served) -> None:
    sign_in(page, served, "regulator")
    page.click("#lang")
    expect(page.locator("nav")).to_contain_text("Supervision")

    def tamper(route: Route) -> None:
        body: dict[str, Any] = json.loads(route.fetch().text())
        body["entry"]["command"]["payload"]["name"] = "Someone else"
        route.fulfill(json=body)

    page.route("**/api/v1/entries/4*", tamper)
    page.goto(served.url + "/#/entry/4")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("does not match its leaf hash")


def test_core_enterprise_confirms_a_delivery(page: Page, served: Served) -> None:
    sign_in(page, served, "core-poultry", with_key=True)
    assert nav_pages(page)[0] == "confirm"
    row = page.locator("#to-confirm tr", has_text="dn-2026-0302")
    expect(row).to_contain_text("送货单")
    before = served.log_size()
    row.locator("button.confirm").click()
    expect(row.locator(".receipt-link")).to_be_visible()
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["payload"]) == (
        "document.confirm",
        {"document_id": "dn-2026-0302"},
    )
    with served.platform.engine.connect() as conn:
        assert documents.get_document(conn, "dn-2026-0302").confirmed_on is not None
    page.reload()
    expect(page.locator("#confirmed-documents")).to_contain_text("dn-2026-0302")
    expect(page.locator("#to-confirm")).not_to_be_attached()  # nothing left: "暂无记录"


def test_supplier_grants_access_through_the_form_signed_in_the_browser(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "feed-supplier", with_key=True)
    page.click("nav a[data-page=documents]")
    expect(page.locator("#grant-form")).to_be_visible()
    expect(page.locator("#access-log")).to_contain_text("city-bank")  # the refused read
    before = served.log_size()

    page.fill("#grant_id", "grant from browser")
    page.fill("#valid_until", "2020-01-01")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#grant_id-error")).to_have_text("只能使用字母、数字、点、横线和下划线")
    expect(page.locator("#grantee-error")).to_have_text("必填")
    expect(page.locator("#valid_until-error")).to_have_text("日期须晚于营业日")
    expect(page.locator("#document_id-error")).to_have_text("请填写单证编号或种类之一")
    assert served.log_size() == before

    page.fill("#grant_id", "g-browser-1")
    page.fill("#grantee", "nobody-such")
    page.fill("#kind", "tax_filing")
    page.fill("#valid_until", "2027-06-30")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#form-result")).to_contain_text("服务器拒绝")
    assert served.log_size() == before

    page.fill("#grantee", "city-bank")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#receipt-link")).to_be_visible()
    assert served.log_size() == before + 1
    assert served.last_command()["type"] == "consent.grant"
    page.click("#receipt-link")
    expect(page.locator("main")).to_contain_text("consent.grant")
    page.click("#verify-entry")
    expect(page.locator("#verify-result")).to_contain_text("已验证")

    page.click("nav a[data-page=received]")
    row = page.locator("#received tr", has_text="coop-bank")
    expect(row).to_contain_text("¥80,000.00")
    expect(row).to_contain_text("loan:loan-li-flock-1 · 定向支付")


def test_farmer_sees_his_loan_stages_and_interest_so_far(page: Page, served: Served) -> None:
    sign_in(page, served, "farmer-li")
    assert nav_pages(page)[:2] == ["my-loan", "flock"]
    card = page.locator(".card[data-loan=loan-li-flock-1]")
    expect(card.locator("#stages")).to_contain_text("stage-1")
    expect(card.locator("#stages")).to_contain_text("¥80,000.00")
    expect(card.locator("#stages")).to_contain_text("¥160,000.00")  # two stages still to come
    with served.platform.engine.connect() as conn:  # billed interest and the accrual since
        loan = lending.get_loan(conn, "loan-li-flock-1")
        rows = lending.instalments(conn, "loan-li-flock-1")
    so_far = sum(r.interest for r in rows if r.status != "scheduled") + loan.interest_accrued
    expect(card.locator(".interest-so-far")).to_have_text(yuan(so_far))

    page.click("nav a[data-page=flock]")  # the flock against its plan and its alerts
    with served.platform.engine.connect() as conn:
        flock = agri.get_flock(conn, "flock-li-1")
        alerts = agri.list_alerts(conn, flock_id="flock-li-1")
        history = agri.flock_days(conn, flock)
    first = page.locator(".card[data-flock=flock-li-1]")
    expect(first.locator(".flock-drawn")).to_have_text(yuan(flock.drawn))
    expect(first.locator(".bar.drawn")).to_have_count(flock.stages_drawn)
    critical = next(a for a in alerts if a["severity"] == "critical")
    row = first.locator(f"li[data-alert='{critical['alert_id']}']")
    expect(row).to_contain_text("死亡率")
    expect(row).to_contain_text(f"{critical['figures']['deaths']} 只")
    expect(row).to_contain_text("已复核")
    warning = next(a for a in alerts if a["kind"] == "weight")
    age = (date.fromisoformat(warning["day"]) - flock.placed_on).days
    warned = first.locator(f"li[data-alert='{warning['alert_id']}']")
    expect(warned).to_contain_text(f"第 {age} 天体重低于曲线")
    expect(warned).to_contain_text(f"预期 {warning['figures']['expected_g']} 克")
    # the growth chart: a dot per weighed day, on the day of the warning the weight it was raised on
    weighed = [d for d in history if d["weight_g_avg"] is not None]
    chart = first.locator("#growth-flock-li-1")
    expect(chart.locator(".line.weighed circle")).to_have_count(len(weighed))
    expect(chart.locator(".line.curve circle")).to_have_count(len(history))
    dot = chart.locator(f".line.weighed circle[data-x='{age}']")
    expect(dot).to_have_attribute("data-y", str(warning["figures"]["weight_g_avg"]))
    page.click("#lang")
    expect(row).to_contain_text("above the limit")


def test_every_string_is_in_both_languages(page: Page, served: Served) -> None:
    page.goto(served.url + "/")
    keys = page.evaluate(
        "import('/static/i18n.js').then(m => Object.fromEntries("
        "Object.entries(m.STRINGS).map(([lang, s]) => [lang, Object.keys(s).sort()])))"
    )
    assert keys["zh-CN"] == keys["en"] and len(keys["en"]) > 200
    assert {f"feature_{name}" for name in FEATURES} <= set(keys["en"])  # reason codes' names


def test_bank_sees_its_book_over_time_and_its_alerts(page: Page, served: Served) -> None:
    sign_in(page, served, "coop-bank")
    page.click("nav a[data-page=portfolio]")
    with served.platform.engine.connect() as conn:
        book = history.portfolio_history(conn, served.today(), "coop-bank", days=90)
    days = [p for p in book["series"] if p["currency"] == "CNY"]
    expect(page.locator("#history-chart .column")).to_have_count(len(days))
    last = page.locator("#history-chart .column").last
    total = sum(c["principal_outstanding"] for c in days[-1]["categories"].values())
    expect(last).to_have_attribute("data-total", str(total))
    page.click("nav a[data-page=alerts]")
    moved = book["reclassifications"][0]
    row = page.locator("#reclassifications tr", has_text=moved["loan_id"])
    expect(row).to_contain_text("关注")
    expect(row).to_contain_text(f"#{moved['seq']}")


def test_cooperative_reviews_a_farm_alert(page: Page, served: Served) -> None:
    sign_in(page, served, "coop-minhou", with_key=True)
    assert "alerts" in nav_pages(page)
    page.click("nav a[data-page=alerts]")
    with served.platform.engine.connect() as conn:
        open_ = agri.list_alerts(conn, flock_id="flock-li-1", status="open")
    alert_id = open_[0]["alert_id"]
    card = page.locator(f"#open-alerts .card[data-alert='{alert_id}']")
    expect(card).to_contain_text("体重低于曲线")
    before = served.log_size()
    card.locator("button[type=submit]").click()
    expect(card.locator("#note-0-error")).to_have_text("必填")
    assert served.log_size() == before
    card.locator("select").select_option("release")
    card.locator("#note-0").fill("farm visit: birds healthy, scale recalibrated")
    card.locator("button[type=submit]").click()
    expect(card.locator("#review-receipt-0")).to_be_visible()
    assert served.log_size() == before + 1
    command = served.last_command()
    assert (command["type"], command["actor"], command["payload"]["alert_id"]) == (
        "agri.review_alert",
        "coop-minhou",
        alert_id,
    )
    with served.platform.engine.connect() as conn:
        assert agri.get_alert(conn, alert_id).status == "reviewed"
    page.reload()
    expect(page.locator("#reviewed-alerts")).to_contain_text("flock-li-1")


def test_farmer_signs_in_with_his_passphrase_and_signs_in_the_browser(
    page: Page, served: Served
) -> None:
    """farmer-wang has no key file: his custodial key opens with his passphrase in the browser,
    which then signs the session's token, a consent, and the token's revocation at sign-out."""
    page.goto(served.url + "/")
    before = served.log_size()
    page.click("#passphrase-form button[type=submit]")
    expect(page.locator("#party_id-error")).to_have_text("必填")
    expect(page.locator("#passphrase-error")).to_have_text("必填")
    page.fill("#party_id", "farmer-li")
    page.fill("#passphrase", "anything at all")
    page.click("#passphrase-form button[type=submit]")
    expect(page.locator("#party_id-error")).to_have_text("该参与方没有开通口令登录")
    page.fill("#party_id", "farmer-wang")
    page.fill("#passphrase", "not-his-passphrase")
    page.click("#passphrase-form button[type=submit]")
    expect(page.locator("#passphrase-error")).to_have_text("口令不正确")
    assert served.log_size() == before

    page.fill("#passphrase", served.passphrases["farmer-wang"])
    page.click("#passphrase-form button[type=submit]")
    expect(page.locator("#who")).to_contain_text("farmer-wang")
    session = served.last_command()
    assert (session["type"], session["actor"]) == ("party.issue_token", "farmer-wang")
    with served.platform.engine.connect() as conn:
        custodial = custody.custodial_key_ids(conn, "farmer-wang")
    assert session["key_id"] in custodial  # signed in the browser with the unlocked key
    token = page.evaluate("sessionStorage.getItem('puhui.token')")
    assert token.startswith(f"phk_{session['payload']['token_id']}_")

    page.click("nav a[data-page=documents]")
    page.fill("#grant_id", "g-wang-1")
    page.fill("#grantee", "coop-minhou")
    page.fill("#kind", "iot_batch")
    page.fill("#valid_until", "2027-01-31")
    page.click("#grant-form button[type=submit]")
    expect(page.locator("#receipt-link")).to_be_visible()
    grant = served.last_command()
    assert (grant["type"], grant["actor"], grant["key_id"]) == (
        "consent.grant",
        "farmer-wang",
        session["key_id"],
    )
    page.click("#signout")
    expect(page.locator("#passphrase-form")).to_be_visible()
    revoked = served.last_command()
    assert (revoked["type"], revoked["payload"]) == (
        "party.revoke_token",
        {"token_id": session["payload"]["token_id"]},
    )
    me = httpx.get(served.url + "/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 401


def _reason_in_chinese(page: Page, feature: str, band: str, gap: int = 13) -> str:
    """``reasons.reasonText`` in the page, for a reason of ``feature`` in ``band``."""
    text = f"{label_of(feature)}: {band} ({gap} points below the best band)"
    reason = {"feature": feature, "points_below_best": gap, "text": text}
    found: str = page.evaluate(
        "r => import('/static/reasons.js').then(m => m.reasonText(r))", reason
    )
    return found


def test_reason_codes_read_in_chinese(page: Page, served: Served) -> None:
    sign_in(page, served, "coop-bank")
    page.goto(served.url + "/#/decision/dec-coop-0001")
    with served.platform.engine.connect() as conn:
        reasons = credit.get_decision(conn, "dec-coop-0001").to_json()["reasons"]
    names = page.evaluate("import('/static/i18n.js').then(m => m.STRINGS['zh-CN'])")
    for r in reasons:  # every reason of the demo decision: the Chinese name, band and gap
        shown = page.locator(f".reasons li[data-feature={r['feature']}]")
        expect(shown).to_contain_text(names[f"feature_{r['feature']}"] + "：")
        expect(shown).to_contain_text(f"（比最佳档低 {r['points_below_best']} 分）")
        if "missing or unknown" in r["text"]:
            expect(shown).to_contain_text("缺失或未知")
    expect(page.locator("#policy-reasons")).to_have_text("无")  # approved: no rule fired
    # bands in the feature's unit: fen as money, basis points as percent, infinities as ∞
    assert _reason_in_chinese(page, "tax_paid_12m_fen", "[989072.00, inf)") == (
        "近 12 个月纳税额：[¥9,890.72, ∞)（比最佳档低 13 分）"
    )
    assert _reason_in_chinese(page, "buyer_concentration_bp", "[9693.00, inf)") == (
        "客户集中度（HHI）：[96.93%, ∞)（比最佳档低 13 分）"
    )
    assert _reason_in_chinese(page, "months_trading", "(-inf, 11.50)") == (
        "平台首张发票至今的月数：(−∞, 11.50)（比最佳档低 13 分）"
    )
    assert _reason_in_chinese(page, "farm_mortality_vs_template_bp", "missing or unknown") == (
        "死亡率对生长模板预期（100% 为符合预期）：缺失或未知（比最佳档低 13 分）"
    )
    page.click("#lang")
    first = page.locator(f".reasons li[data-feature={reasons[0]['feature']}]")
    expect(first).to_have_text(reasons[0]["text"])
