// The lender's alerts: its borrowers' farm alerts from the close of day (reviewed here as a
// signed agri.review_alert: release the stage or keep the flock frozen), loans reclassified in
// the last quarter, and loans overdue today.
import { api, state, submit, t } from "../api.js";
import { $, date, el, entryLink, field, input, money, noteErrors, resultLine, section, serverErrors, showErrors, showReceipt, table } from "../ui.js";
import { category } from "./loans.js";
import { alertText } from "./farmer.js";

const loanLink = (id) => el("a", { href: `#/loan/${encodeURIComponent(id)}` }, id);

function reviewForm(alert, flock, n) {
  const note = `note-${n}`, decision = `decision-${n}`;
  const form = el("form", { class: "review-form", "data-alert": alert.alert_id, novalidate: "" },
    field(decision, t("decision_review"), el("select", { id: decision, name: "decision" },
      el("option", { value: "release" }, t("review_release")), el("option", { value: "keep_frozen" }, t("review_keep_frozen")))),
    field(note, t("review_note"), input(note)),
    el("button", { type: "submit" }, t("review_signed")), resultLine(`review-result-${n}`));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $(`#${note}`, form).value.trim();
    if (!showErrors(form, noteErrors(note, text, true))) return;
    try {
      const receipt = await submit("agri.review_alert", { alert_id: alert.alert_id, decision: $(`#${decision}`, form).value, note: text });
      showReceipt(form, receipt, `review-receipt-${n}`);
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err)); }
  });
  return form;
}

export async function alertsView() {
  const [farm, history, page] = await Promise.all([api("/agri/alerts?limit=200"), api("/lending/portfolio/history?days=90"),
    api("/lending/loans?limit=500")]);
  const flockIds = [...new Set(farm.alerts.map((a) => a.flock_id))];
  const flocks = Object.fromEntries(await Promise.all(flockIds.map(async (id) => [id, await api(`/agri/flocks/${encodeURIComponent(id)}`)])));
  const mine = (a) => flocks[a.flock_id]?.lender_id === state.me.party_id;
  const open = farm.alerts.filter((a) => a.status === "open" && mine(a));
  const done = farm.alerts.filter((a) => a.status !== "open" && mine(a));
  const overdue = page.loans.filter((l) => l.lender_id === state.me.party_id && l.days_past_due > 0);
  const farmRow = (a) => [date(a.day), a.flock_id, flocks[a.flock_id].farm_id, el("span", { class: a.severity === "critical" ? "bad" : "" }, t("severity_" + a.severity)),
    alertText(flocks[a.flock_id], a)];
  return section(t("alerts"),
    el("h3", {}, t("farm_alerts_open")),
    open.length ? el("div", { id: "open-alerts" }, open.map((a, n) => el("article", { class: "card", "data-alert": a.alert_id },
      el("p", {}, farmRow(a).flatMap((c, i) => (i ? [" · ", c] : [c]))),
      flocks[a.flock_id].frozen ? el("p", { class: "bad" }, t("frozen")) : "",
      reviewForm(a, flocks[a.flock_id], n)))) : el("p", { class: "muted", id: "open-alerts" }, t("nothing_yet")),
    el("h3", {}, t("loans_overdue")),
    table([t("loan"), t("borrower"), t("days_past_due"), t("overdue"), t("category")],
      overdue.map((l) => [loanLink(l.loan_id), l.borrower_id, String(l.days_past_due), money(l.principal_overdue, l.currency), category(l.category)]),
      { id: "overdue-loans" }),
    el("h3", {}, t("reclassified")),
    table([t("date"), t("loan"), t("class_from"), t("class_to"), t("days_past_due"), t("entry")],
      history.reclassifications.map((m) => [date(m.business_date), loanLink(m.loan_id), category(m.from), category(m.to), String(m.days_past_due), entryLink(m.seq)]),
      { id: "reclassifications" }),
    el("h3", {}, t("farm_alerts_reviewed")),
    table([t("date"), t("flock"), t("farm"), t("severity"), t("alert"), t("status")],
      done.map((a) => [...farmRow(a), t("alert_" + a.status)]), { id: "reviewed-alerts" }));
}
