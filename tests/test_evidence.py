"""Evidence with substance (issue 15, item 5): recorded by a person, stored by hash, counted by
the checklist rules, approved where the policy says so, shown on the onboarding form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen import api
from docgen.errors import AuthError, InputError
from docgen.findings import Finding
from docgen.kinds import DocumentKind
from tests.conftest import act, admin_token_for, example_data, person_token, relock_policy
from tests.docs import pdf_text
from tests.render._helpers import docx_text

SAM = "sam.seller@brightfield.example"          # the sales rep of the sample deals
CFO = "cfo@brightfield.example"                 # holds the policy's finance role
ONA = "ona.boarding@brightfield.example"        # holds no role


def require_approval(ws_path: Path, item: str = "credit_application",
                     approvers: list[str] | None = None) -> None:
    """Make `item` of the po and onboarding checklists require approved evidence."""
    path = ws_path / "skus" / "policy.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    entry: dict[str, Any] = {"item": item, "requires": "approved"}
    if approvers:
        entry["approvers"] = approvers
    for which in ("po", "onboarding"):
        data["checklists"][which] = [entry if i == item else i
                                     for i in data["checklists"][which]]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    relock_policy(ws_path)


def findings_at(ws_path: Path, deal: Path, where: str) -> list[Finding]:
    with api.Session(ws_path) as s:
        (result,) = s.validate([deal])
    return [f for f in result.findings if f.where == where]


@pytest.fixture
def attachment(tmp_path: Path) -> Path:
    path = tmp_path / "credit-application-signed.pdf"
    path.write_bytes(b"%PDF-1.7\n% the customer's signed credit application\n")
    return path


@pytest.fixture
def without_credit_application(ws_path: Path, write_deal: Callable[..., Path]) -> Path:
    """The clean sample deal with no credit application in its file."""
    data = example_data("D-2026-0101")
    del data["evidence"]["credit_application"]
    admin_token_for(ws_path)  # the workspace has a database and people
    return write_deal(data, name="D-2026-0101.yaml")


# -- recording -----------------------------------------------------------------------------------

def test_evidence_is_recorded_by_the_tokens_person_with_its_file_by_hash(
        ws_path: Path, without_credit_application: Path, attachment: Path) -> None:
    # when
    added = act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
                attachment)
    # then: who, when, received (the default), dated today, the file by its SHA-256
    import hashlib

    rec = added.record
    blob = attachment.read_bytes()
    assert (rec.by, rec.status, rec.on) == (SAM, "received", date.today())
    assert rec.file_sha256 == hashlib.sha256(blob).hexdigest()
    assert (rec.file_name, rec.file_size) == (attachment.name, len(blob))
    assert added.changed and added.standing == []
    with api.Session(ws_path) as s:
        stored_rec, stored = s.evidence_file("D-2026-0101", "credit_application")
        listed = s.evidence("D-2026-0101")
    assert stored == blob and stored_rec == rec
    assert [r.id for r in listed.records] == [rec.id] and listed.counting == {rec.id}


def test_the_same_file_is_stored_once_and_never_overwritten(
        ws_path: Path, without_credit_application: Path, attachment: Path) -> None:
    # given: one file attached to two items
    act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
        attachment)
    act(ws_path, SAM, "add_evidence", without_credit_application, "billing_details", attachment)
    with api.Session(ws_path) as s:
        store: Any = s.store
        from sqlalchemy import func, select, update

        from docgen.store._tables_evidence import deal_evidence, evidence_files

        with store._read() as conn:  # noqa: SLF001
            count = conn.execute(select(func.count()).select_from(evidence_files)).scalar()
        # then: one stored file; the database refuses to change it or a record
        assert count == 1
        for table, values in ((evidence_files, {"content": b"forged"}),
                              (deal_evidence, {"status": "approved"})):
            with pytest.raises(Exception, match="never changed or deleted"):  # noqa: PT011
                with store._write() as conn:  # noqa: SLF001
                    conn.execute(update(table).values(**values))


def test_recording_the_same_evidence_again_changes_nothing(
        ws_path: Path, without_credit_application: Path, attachment: Path) -> None:
    first = act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
                attachment, on=date(2026, 10, 20))
    again = act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
                attachment, on=date(2026, 10, 20))
    assert first.changed and not again.changed and again.record == first.record
    with api.Session(ws_path) as s:
        assert len(s.evidence("D-2026-0101").records) == 1


def test_recording_needs_a_valid_token(ws_path: Path,
                                       without_credit_application: Path) -> None:
    with api.Session(ws_path) as s, pytest.raises(AuthError, match="needs to know who you are"):
        s.add_evidence(without_credit_application, "credit_application")
    with api.Session(ws_path, token="dgt_not-a-token") as s, \
            pytest.raises(AuthError, match="not a valid API token"):
        s.add_evidence(without_credit_application, "credit_application")
    with api.Session(ws_path) as s:
        assert s.evidence("D-2026-0101").records == []


def test_an_unknown_item_is_refused_naming_the_known_items(
        ws_path: Path, without_credit_application: Path) -> None:
    with pytest.raises(InputError) as exc:
        act(ws_path, SAM, "add_evidence", without_credit_application, "credit_aplication")
    (problem,) = exc.value.problems
    assert "'credit_aplication' is not a checklist item of the policy" in problem.message
    assert "did you mean credit_application?" in problem.message
    assert "mnda_signed, billing_details, onboarding_form" in problem.message


def test_a_future_date_is_refused(ws_path: Path, without_credit_application: Path) -> None:
    with pytest.raises(InputError, match="is in the future"):
        act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
            on=date(2100, 1, 1))


# -- what counts ---------------------------------------------------------------------------------

def test_recorded_evidence_counts_for_the_checklist_rules(
        ws_path: Path, without_credit_application: Path) -> None:
    # given: the PO checklist misses the credit application (CHK002)
    deal = without_credit_application
    where = "evidence.credit_application"
    assert sorted(f.code for f in findings_at(ws_path, deal, where)) == ["CHK002", "CHK003",
                                                                          "STG001"]
    # when
    act(ws_path, SAM, "add_evidence", deal, "credit_application")
    # then: nothing stands at the item, the PO is ready again
    assert findings_at(ws_path, deal, where) == []
    with api.Session(ws_path) as s:
        assert s.validate([deal])[0].ready["po"]


def test_a_recorded_signed_contract_dates_the_go_live_check(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: go-live 2026-12-02, the contract not signed in the deal file
    data = example_data("D-2026-0101")
    data["evidence"].pop("signed_contract", None)
    data["go_live"] = "2026-12-02"
    admin_token_for(ws_path)
    deal = write_deal(data, name="D-2026-0101.yaml")
    assert "DAT003" in {f.code for f in findings_at(ws_path, deal,
                                                    "evidence.signed_contract")}
    # when: signed on 2026-11-28, four days before go-live
    act(ws_path, SAM, "add_evidence", deal, "signed_contract", on=date(2026, 11, 28))
    # then: DAT003 reads the recorded date: too soon after the signature
    (dat,) = [f for f in findings_at(ws_path, deal, "go_live") if f.code == "DAT003"]
    assert "4 days after the contract was signed on 2026-11-28" in dat.message


def test_credit_application_received_is_told_from_approved(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: the policy requires the credit application approved; the deal file has one
    require_approval(ws_path)
    admin_token_for(ws_path)
    deal = write_deal(example_data("D-2026-0101"), name="D-2026-0101.yaml")
    where = "evidence.credit_application"
    (typed,) = [f for f in findings_at(ws_path, deal, where) if f.code == "CHK002"]
    assert typed.message == ("PO checklist item 'credit_application' has evidence in the deal "
                             "file, but the policy requires it recorded as approved")
    # when: received
    act(ws_path, SAM, "add_evidence", deal, "credit_application", on=date(2026, 10, 20))
    # then: the approval is missing
    (received,) = [f for f in findings_at(ws_path, deal, where) if f.code == "CHK002"]
    assert received.message == (
        f"PO checklist item 'credit_application' was received on 2026-10-20 (recorded by "
        f"{SAM}) but is not approved yet")
    assert "--status approved" in received.hint
    # when: approved
    act(ws_path, CFO, "add_evidence", deal, "credit_application", status="approved",
        on=date(2026, 10, 22))
    # then
    assert findings_at(ws_path, deal, where) == []


def test_an_approval_counts_only_from_the_roles_the_policy_names(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: finance approves credit applications
    require_approval(ws_path, approvers=["finance"])
    admin_token_for(ws_path)
    deal = write_deal(example_data("D-2026-0101"), name="D-2026-0101.yaml")
    # when / then: someone without the role may not record it approved
    with pytest.raises(InputError, match="may not record credit_application approved"):
        act(ws_path, ONA, "add_evidence", deal, "credit_application", status="approved")
    # ... the CFO (finance) may
    act(ws_path, CFO, "add_evidence", deal, "credit_application", status="approved")
    assert findings_at(ws_path, deal, "evidence.credit_application") == []
    # when: the policy no longer names the CFO for finance
    path = ws_path / "skus" / "policy.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["approvers"]["finance"] = ["controller@brightfield.example"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    relock_policy(ws_path)
    # then: the approval stops counting
    (f,) = [f for f in findings_at(ws_path, deal, "evidence.credit_application")
            if f.code == "CHK002"]
    assert "who holds none of the roles that approve it (finance)" in f.message


def test_evidence_written_into_the_database_outside_docgen_does_not_count(
        ws_path: Path, write_deal: Callable[..., Path]) -> None:
    # given: a row "approving" the credit application, inserted with SQL (no audit row)
    require_approval(ws_path)
    admin_token_for(ws_path)
    deal = write_deal(example_data("D-2026-0101"), name="D-2026-0101.yaml")
    with api.Session(ws_path) as s:
        store: Any = s.store
        from datetime import UTC, datetime

        from sqlalchemy import insert

        from docgen.store._tables_evidence import deal_evidence
        with store._write() as conn:  # noqa: SLF001
            conn.execute(insert(deal_evidence).values(
                deal_id="D-2026-0101", item="credit_application", status="approved",
                evidence_date=date(2026, 10, 22), recorded_by=CFO,
                recorded_at=datetime.now(UTC)))
    # then: the approval is still missing, and the audit check names the row
    assert [f.code for f in findings_at(ws_path, deal, "evidence.credit_application")
            if f.code == "CHK002"] == ["CHK002"]
    with api.Session(ws_path) as s:
        _, problems = s.verify_audit()
        listed = s.evidence("D-2026-0101")
    assert any("deal_evidence row" in str(p) and "does not count" in str(p) for p in problems)
    assert listed.records and not listed.counting


def test_evidence_is_in_the_audit_log_and_the_history(
        ws_path: Path, without_credit_application: Path, attachment: Path) -> None:
    act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
        attachment, on=date(2026, 10, 20))
    with api.Session(ws_path) as s:
        rows = [e for e in s.audit_log("D-2026-0101") if e.action == "evidence"]
        hist = s.history("D-2026-0101")
        checked, problems = s.verify_audit()
    (row,) = rows
    assert (row.actor, row.subject) == (SAM, "credit_application received")
    assert row.data["file_name"] == attachment.name and row.data["date"] == "2026-10-20"
    assert problems == [] and checked > 0
    (event,) = [e for e in hist.events if e.event == "evidence"]
    assert event.summary.startswith(
        f"evidence credit_application received 2026-10-20 by {SAM}, file {attachment.name} "
        "(SHA-256 ")
    assert event.to_json()["counts"] is True


def test_policies_without_conditions_lock_and_dump_as_before(ws_path: Path) -> None:
    from docgen.versions import policy_content
    from docgen.workspace import Workspace

    ws = Workspace(ws_path)
    ws.verify_locks()  # the sample's lock, made before checklist conditions existed
    assert policy_content(ws.policy)["checklists"]["po"] == [
        "mnda_signed", "credit_application", "billing_details"]


# -- the onboarding form -------------------------------------------------------------------------

def test_the_onboarding_form_shows_recorded_evidence(
        ws_path: Path, write_deal: Callable[..., Path], attachment: Path,
        tmp_path: Path) -> None:
    # given: credit application received (with its file), known-shipper check approved
    require_approval(ws_path)
    admin_token_for(ws_path)
    data = example_data("D-2026-0101")
    del data["evidence"]["credit_application"]
    deal = write_deal(data, name="D-2026-0101.yaml")
    rec = act(ws_path, SAM, "add_evidence", deal, "credit_application", attachment,
              on=date(2026, 10, 20)).record
    act(ws_path, CFO, "add_evidence", deal, "known_shipper_check", status="approved",
        on=date(2026, 10, 22))
    short = (rec.file_sha256 or "")[:12]

    # when: the onboarding form, twice
    outs = []
    for name in ("a", "b"):
        with api.Session(ws_path) as s:
            batch = s.render(DocumentKind.ONBOARDING, [deal], out_dir=tmp_path / name,
                             formats=("pdf", "docx"), draft=True, issue_date=date(2026, 11, 22))
        outs.append({fmt: p for r in batch.rendered for fmt, p in r.paths.items()})

    # then: per item its status, date, who, file name and short hash, in the PDF and the DOCX
    pdf = " ".join(pdf_text(outs[0]["pdf"]).split())
    docx = docx_text(outs[0]["docx"])
    for text in (pdf, docx):
        assert "Not approved yet" in text                  # received, approval missing
        assert "Oct 20, 2026" in text and SAM in text
        assert f"{attachment.name} (SHA-256 {short})" in text
        assert "Approved" in text and CFO in text and "Oct 22, 2026" in text
    # the same input gives the same bytes
    for fmt in ("pdf", "docx"):
        assert outs[0][fmt].read_bytes() == outs[1][fmt].read_bytes()


def test_the_onboarding_context_marks_what_is_done(
        ws_path: Path, without_credit_application: Path) -> None:
    from tests.docs import document_context

    act(ws_path, SAM, "add_evidence", without_credit_application, "credit_application",
        on=date(2026, 10, 20))
    ctx = document_context(ws_path, without_credit_application, "onboarding")
    items = {c.item: c for c in ctx.onboarding.checklist}
    ca = items["credit_application"]
    assert (ca.done, ca.status, ca.recorded, ca.by) == (True, "Received", "received", SAM)
    assert ca.file_name == "" and ca.ref == ""
    assert ctx.onboarding.complete

