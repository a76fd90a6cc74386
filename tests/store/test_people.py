"""People, tokens and the audit chain in the store, on SQLite and PostgreSQL (issue 12)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from docgen import api
from docgen.approvals import decide, submit
from docgen.audit import ENV_SECRET
from docgen.errors import AuthError, InputError
from docgen.findings import Severity
from docgen.identity import TOKEN_PREFIX, token_digest
from docgen.validate import DealResult
from docgen.workspace import Workspace
from tests.conftest import example, example_data, relock_policy
from tests.store.conftest import Backend, person

CS = "cs.lead@brightfield.example"
FINANCE = "cfo@brightfield.example"
MANAGER = "sales.manager@brightfield.example"
PEOPLE = {"cs": CS, "finance": FINANCE, "sales_manager": MANAGER}


def raw(ws: Workspace, path: Path) -> DealResult:
    """The deal validated without recorded approvals (what decisions bind to)."""
    with api.Session(ws) as s:
        (result,) = s.validate([path], approvals=False)
    return result


def resolved(ws: Workspace, path: Path) -> DealResult:
    """The deal validated as ``docgen validate`` does it (a fresh session: nothing cached)."""
    with api.Session(Workspace(ws.root)) as s:
        (result,) = s.validate([path])
    return result


def open_approvals(result: DealResult) -> set[tuple[str, str]]:
    return {(f.code, f.where) for f in result.findings if f.severity is Severity.APPROVAL}


def approve_everything(store: Any, ws: Workspace, result: DealResult) -> None:
    for f in result.findings:
        if f.severity is Severity.APPROVAL:
            for role in f.approvers:
                decide(store, ws.policy, result, code=f.code, where=f.where, role=role,
                       by=person(store, PEOPLE[role]), decision="approve")


def sql(store: Any, statement: str, **params: Any) -> None:
    """Run a statement outside docgen, as someone with database access would."""
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


# -- people and tokens ---------------------------------------------------------------------------

def test_people_token_is_random_stored_hashed_and_authenticates(store: Any) -> None:
    # given
    admin, token = store.add_user("Admin@Example.COM", name="Ada", is_admin=True, actor=None)

    # then: 256 random bits after the prefix, never stored in the clear
    assert token.startswith(TOKEN_PREFIX) and len(token) >= len(TOKEN_PREFIX) + 43
    assert admin.email == "admin@example.com" and admin.is_admin and admin.active
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_sha256, hint FROM api_tokens")).one()
    assert stored.token_sha256 == token_digest(token) and token not in stored
    assert store.authenticate(token) == admin
    assert store.authenticate(f"  {token}\n") == admin

    # a wrong or made-up token is refused
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "dgt_" + "x" * 43, "hello"):
        with pytest.raises(AuthError):
            store.authenticate(bad)


def test_people_disabled_person_cannot_act_and_last_admin_stays(store: Any) -> None:
    # given
    store.add_user("admin@example.com", name="Ada", is_admin=True, actor=None)
    _, token = store.add_user("cs.lead@brightfield.example", name="Cas", is_admin=False,
                              actor="admin@example.com")

    # when
    store.disable_user("CS.Lead@Brightfield.example", actor="admin@example.com")

    # then
    with pytest.raises(AuthError, match="disabled"):
        store.authenticate(token)
    with pytest.raises(InputError, match="last active administrator"):
        store.disable_user("admin@example.com", actor="admin@example.com")


def test_people_email_case_is_one_person(store: Any) -> None:
    # given: added in upper case
    user, _ = store.add_user("CS.LEAD@BRIGHTFIELD.EXAMPLE", name="Cas", is_admin=True,
                             actor=None)

    # then: stored normalised, and the same address in another case is the same person
    assert user.email == CS
    with pytest.raises(InputError, match="already a user"):
        store.add_user(CS, name="Cas again", is_admin=False, actor=CS)
    assert store.user("Cs.Lead@brightfield.example") == user


# -- the chain ---------------------------------------------------------------------------------

def _chain(store: Any, rows: int = 6) -> None:
    store.add_user("admin@example.com", name="Ada", is_admin=True, actor=None)  # 2 rows
    for i in range(rows - 2):
        store.append_audit("test.event", actor="admin@example.com", subject=f"event {i}",
                           detail={"i": i})


def test_audit_chain_verifies(store: Any) -> None:
    _chain(store)
    count, problems = store.verify_audit()
    assert (count, problems) == (6, [])
    entries = store.audit_log()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_mac == "0" * 64
    assert all(b.prev_mac == a.mac for a, b in zip(entries, entries[1:], strict=False))


TAMPER = {
    # each: statements run outside docgen, and the first row `audit verify` must name
    "edited": (["UPDATE audit_log SET subject = 'event X' WHERE seq = 4"], 4),
    "edited-detail": (["UPDATE audit_log SET detail = replace(detail, 'Ada', 'Eve') "
                       "WHERE seq = 1"], 1),
    "deleted": (["DELETE FROM audit_log WHERE seq = 3"], 4),
    "reordered": (["UPDATE audit_log SET seq = 100 WHERE seq = 3",
                   "UPDATE audit_log SET seq = 3 WHERE seq = 4",
                   "UPDATE audit_log SET seq = 4 WHERE seq = 100"], 3),
    "inserted": (["UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
                  "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103",
                  "INSERT INTO audit_log (seq, at, actor, action, deal_id, subject, detail, "
                  "prev_mac, mac) SELECT 3, at, actor, action, deal_id, 'forged', detail, mac, "
                  "mac FROM audit_log WHERE seq = 2"], 3),
    "appended": (["INSERT INTO audit_log (seq, at, actor, action, deal_id, subject, detail, "
                  "prev_mac, mac) SELECT 7, at, actor, action, deal_id, 'forged', detail, mac, "
                  "mac FROM audit_log WHERE seq = 6"], 7),
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_audit_verify_names_the_first_tampered_row(store: Any, how: str) -> None:
    # given
    _chain(store)
    statements, first = TAMPER[how]

    # when
    for statement in statements:
        sql(store, statement)

    # then
    _, problems = store.verify_audit()
    assert problems, f"{how} went unnoticed"
    assert problems[0].seq == first, [str(p) for p in problems]


def test_audit_verify_notices_the_newest_rows_deleted(store: Any) -> None:
    # given
    _chain(store)

    # when: the last two rows go (the rest of the chain is intact)
    sql(store, "DELETE FROM audit_log WHERE seq >= 5")

    # then: the head remembers
    _, problems = store.verify_audit()
    assert problems and "deleted" in str(problems[0])


def test_audit_missing_key_refuses_to_start_a_new_chain(ws: Workspace, store: Any) -> None:
    # given: a chain, then the key file is lost
    _chain(store)
    (ws.state_dir / "secret.key").unlink()

    # when / then: no silent new key that would disown the chain
    with pytest.raises(InputError, match="secret key"):
        store.append_audit("test.event", actor=None, subject="after the loss")
    assert not (ws.state_dir / "secret.key").exists()
    assert len(store.audit_log()) == 6


def test_audit_key_file_is_private_and_the_variable_overrides_it(
        ws: Workspace, store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    _chain(store)
    key_file = ws.state_dir / "secret.key"

    # then
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert store.verify_audit()[1] == []
    # a different key in the environment wins: the chain is not vouched for by it
    monkeypatch.setenv(ENV_SECRET, "k" * 64)
    assert store.verify_audit()[1] != []
    monkeypatch.setenv(ENV_SECRET, "short")
    with pytest.raises(InputError, match="at least"):
        store.verify_audit()


# -- bypass: forged database rows (issue 12) -------------------------------------------------------

#: A decision time as someone typing SQL would write it, on each backend.
AT = {"sqlite": "2026-11-25 10:00:00.000000", "postgresql": "2026-11-25 10:00:00+00"}

FORGE = ("INSERT INTO approval_decisions (deal_id, code, location, fingerprint, role, "
         "decided_by, decision, note, decided_at) VALUES (:deal, :code, :where, :fp, :role, "
         ":by, 'approve', NULL, :at)")


@pytest.mark.parametrize("who", ["nobody@nowhere.invalid", "policy"])
def test_forged_decision_rows_do_not_count(ws: Workspace, store: Any, backend: Backend,
                                           who: str) -> None:
    # given: the deal needs approvals, and someone INSERTs decisions for every one of them
    path = example("D-2026-0042")
    result = raw(ws, path)
    _chain(store, 2)  # the workspace has a key and a chain, as any workspace in use has
    for f in result.findings:
        if f.severity is Severity.APPROVAL:
            for role in f.approvers:
                sql(store, FORGE, deal=result.deal.deal, code=f.code, where=f.where,
                    fp=f.fingerprint, role=role, at=AT[backend.name],
                    by=PEOPLE[role] if who == "policy" else who)

    # then: validation ignores them, the PO is refused, and audit verify names the rows
    after = resolved(ws, path)
    assert open_approvals(after) == open_approvals(result) != set()
    with api.Session(Workspace(ws.root), token=store.add_user(
            "seller@brightfield.example", name="S", is_admin=False,
            actor="admin@example.com")[1]) as s:
        batch = s.render("po", [path], out_dir=ws.root / "out", issue_date=None, formats=("html",))
    assert batch.blocked and not batch.rendered
    _, problems = store.verify_audit()
    assert any("approval_decisions row" in str(p) for p in problems)
    with api.Session(Workspace(ws.root)) as s:
        _, entries = s.approval_history(path)
    approved = [e for e in entries if e.event == "approved"]
    assert approved and all(e.counts is False for e in approved)


def test_edited_decision_row_stops_counting(ws: Workspace, store: Any) -> None:
    # given: every approval genuinely recorded
    path = example("D-2026-0042")
    approve_everything(store, ws, raw(ws, path))
    assert open_approvals(resolved(ws, path)) == set()

    # when: someone rewrites who approved a line (or its note) in the database
    sql(store, "UPDATE approval_decisions SET note = 'ok by me' WHERE code = 'CAT002'")

    # then: that approval no longer counts, the others still do
    assert open_approvals(resolved(ws, path)) == {("CAT002", "lines[3]")}


def test_forged_audit_row_does_not_vouch(ws: Workspace, store: Any, backend: Backend) -> None:
    # given: a real decision's audit row copied onto a forged decision of another line
    path = example("D-2026-0042")
    result = raw(ws, path)
    decide(store, ws.policy, result, code="CAT002", where="lines[3]", role="cs",
           by=person(store, CS), decision="approve")
    f = next(f for f in result.findings if f.code == "CAT007")
    sql(store, FORGE, deal=result.deal.deal, code="CAT007", where=f.where, fp=f.fingerprint,
        role="cs", by=CS, at=AT[backend.name])
    detail = ('{"by":"cs.lead@brightfield.example","code":"CAT007","decided_at":'
              '"2026-11-25T10:00:00.000000+00:00","decision":"approve","fingerprint":"'
              + (f.fingerprint or "") + '","note":null,"role":"cs","where":"lines[4]"}')
    sql(store, "INSERT INTO audit_log (seq, at, actor, action, deal_id, subject, detail, "
               "prev_mac, mac) SELECT seq + 1, at, actor, 'approve', deal_id, subject, :d, mac, "
               "mac FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)", d=detail)

    # then
    assert ("CAT007", "lines[4]") in open_approvals(resolved(ws, path))
    assert ("CAT002", "lines[3]") not in open_approvals(resolved(ws, path))


# -- separation of duties (issue 12) -----------------------------------------------------------

def _policy(ws: Workspace, edit: Callable[[dict[str, Any]], None], *,
            relock: bool = True) -> Workspace:
    """Rewrite the workspace's policy with `edit` and return the workspace, reloaded."""
    import yaml

    data = yaml.safe_load(ws.policy_path.read_text("utf-8"))
    edit(data)
    ws.policy_path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    if relock:
        relock_policy(ws.root)
    return Workspace(ws.root)


def test_sod_sales_rep_cannot_approve_their_own_deal(ws: Workspace, store: Any) -> None:
    # given: the deal's sales rep also holds the cs role
    ws = _policy(ws, lambda p: p["approvers"]["cs"].append("sam.seller@brightfield.example"))
    path = example("D-2026-0042")

    # when / then: refused, nothing recorded
    with pytest.raises(AuthError, match="sales rep"):
        decide(store, ws.policy, raw(ws, path), code="CAT002", where="lines[3]", role="cs",
               by=person(store, "sam.seller@brightfield.example"), decision="approve")
    assert store.decisions(["D-2026-0042"]) == []


def test_sod_sales_rep_in_upper_case_is_still_the_sales_rep(
        ws: Workspace, store: Any, write_deal: Callable[..., Path]) -> None:
    # given: the deal spells the rep's address in capitals, the policy in mixed case
    ws = _policy(ws, lambda p: p["approvers"]["cs"].append("Sam.Seller@Brightfield.example"))
    data = example_data("D-2026-0042")
    data["sales_rep"]["email"] = "SAM.SELLER@BRIGHTFIELD.EXAMPLE"
    path = write_deal(data)

    # then
    with pytest.raises(AuthError, match="sales rep"):
        decide(store, ws.policy, raw(ws, path), code="CAT002", where="lines[3]", role="cs",
               by=person(store, "sam.seller@brightfield.example"), decision="approve")


def test_sod_submitter_cannot_approve(ws: Workspace, store: Any) -> None:
    # given: a cs approver submitted the deal
    path = example("D-2026-0042")
    submit(store, raw(ws, path), by=person(store, "cs.deputy@brightfield.example"))

    # then
    with pytest.raises(AuthError, match="submitted"):
        decide(store, ws.policy, raw(ws, path), code="CAT002", where="lines[3]", role="cs",
               by=person(store, "cs.deputy@brightfield.example"), decision="approve")
    # another cs approver may
    out = decide(store, ws.policy, raw(ws, path), code="CAT002", where="lines[3]", role="cs",
                 by=person(store, CS), decision="approve")
    assert out.status == "recorded"


BOSS = "boss@brightfield.example"


def _boss_everywhere(p: dict[str, Any], *, sod: bool = True) -> None:
    for role in ("cs", "finance", "sales_manager"):
        p["approvers"][role].append(BOSS)
    p["separation_of_duties"] = sod


def test_sod_one_person_in_three_roles_cannot_approve_alone(ws: Workspace, store: Any) -> None:
    # given: one person listed under cs, finance and sales_manager
    ws = _policy(ws, _boss_everywhere)
    path = example("D-2026-0042")
    result = raw(ws, path)
    boss = person(store, BOSS)

    # when: they approve every decision of the deal they can
    refused = 0
    for f in result.findings:
        if f.severity is Severity.APPROVAL:
            for role in f.approvers:
                try:
                    decide(store, ws.policy, result, code=f.code, where=f.where, role=role,
                           by=boss, decision="approve")
                except AuthError as exc:
                    assert "different person" in str(exc)
                    refused += 1

    # then: one role per finding each; the findings needing several roles stay open
    assert refused == 1 + 2  # PRC001 lines[0] needs 2 roles, lines[1] needs 3
    assert open_approvals(resolved(ws, path)) == {("PRC001", "lines[0]"), ("PRC001", "lines[1]")}


def test_sod_at_validate_time_one_person_counts_once(ws: Workspace, store: Any) -> None:
    # given: with separation of duties off, one person approved all seven decisions
    ws = _policy(ws, lambda p: _boss_everywhere(p, sod=False))
    path = example("D-2026-0042")
    result = raw(ws, path)
    boss = person(store, BOSS)
    for f in result.findings:
        if f.severity is Severity.APPROVAL:
            for role in f.approvers:
                decide(store, ws.policy, result, code=f.code, where=f.where, role=role,
                       by=boss, decision="approve")
    assert open_approvals(resolved(ws, path)) == set()

    # when: separation of duties is switched back on
    ws = _policy(ws, lambda p: p.update(separation_of_duties=True))

    # then: their extra roles stop counting
    assert open_approvals(resolved(ws, path)) == {("PRC001", "lines[0]"), ("PRC001", "lines[1]")}


def test_policy_edit_approval_by_someone_no_longer_named_stops_counting(
        ws: Workspace, store: Any, backend: Backend) -> None:
    # given: mallory adds herself to cs, approves both cs findings, and restores the policy
    path = example("D-2026-0042")
    ws = _policy(ws, lambda p: p["approvers"]["cs"].append("mallory@brightfield.example"))
    result = raw(ws, path)
    for code, where in (("CAT002", "lines[3]"), ("CAT007", "lines[4]")):
        decide(store, ws.policy, result, code=code, where=where, role="cs",
               by=person(store, "mallory@brightfield.example"), decision="approve")
    for f in result.findings:  # the PRC001 approvals by the right people
        if f.code == "PRC001":
            for role in f.approvers:
                if role != "cs":
                    decide(store, ws.policy, result, code=f.code, where=f.where, role=role,
                           by=person(store, PEOPLE[role]), decision="approve")
    decide(store, ws.policy, result, code="PRC001", where="lines[1]", role="cs",
           by=person(store, CS), decision="approve")
    assert open_approvals(resolved(ws, path)) == set()

    # when
    ws = _policy(ws, lambda p: p["approvers"]["cs"].remove("mallory@brightfield.example"))

    # then: at validate time her approvals are gone ...
    assert open_approvals(resolved(ws, path)) == {("CAT002", "lines[3]"), ("CAT007", "lines[4]")}
    # ... and at issue time: no final PO
    token = store.add_user("seller@brightfield.example", name="S", is_admin=False,
                           actor="admin@localhost")[1]
    with api.Session(Workspace(ws.root), token=token) as s:
        batch = s.render("po", [path], out_dir=ws.root / "out", issue_date=None,
                         formats=("html",))
    assert batch.blocked and not batch.rendered


def test_policy_bands_without_approvers_are_refused(ws: Workspace) -> None:
    # given: every band's approvers emptied (PRC001 would never fire)
    def empty(p: dict[str, Any]) -> None:
        for band in p["discount_bands"]:
            band["approvers"] = []

    ws = _policy(ws, empty, relock=False)   # the policy no longer loads: it cannot be locked

    # then
    with pytest.raises(InputError, match="needs approvers"):
        ws.load_all()

