"""The commercial policy (``skus/policy.yaml``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (Discriminator, Field, Tag, ValidationInfo, field_validator,
                      model_validator)

from docgen._identity_memo import IdentityMemo
from docgen.models._base import Input, LocaleCode, Pct, Text, Word

if TYPE_CHECKING:
    from docgen.models.deal import Deal

__all__ = ["CHECKLISTS", "MAX_DAYS", "MAX_HOURS", "Band", "BusinessHours", "ChecklistItem",
           "Checklists", "EvidenceStatus", "ExceptionPolicy", "Notify", "PlanTask", "Policy",
           "Stage"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Bounds of the policy's durations: a year of hours, ten years of days (past them a date
#: computed from an accepted issue date or contract start would overflow, and no business needs
#: them).
MAX_HOURS = 366 * 24
MAX_DAYS = 3660
#: A tax rate in percent.
TaxRate = Annotated[Pct, Field(ge=0, le=100)]


class Band(Input):
    """Discounts up to `up_to` percent need these approvers."""

    up_to: Pct = Field(ge=0, le=100)
    approvers: list[Word] = Field(default_factory=list)


class ExceptionPolicy(Input):
    """Who approves exceptions, and the service level for doing it."""

    approvers: list[Word] = Field(min_length=1)
    warn_hours: int = Field(default=24, ge=0, le=MAX_HOURS)
    sla_hours: int = Field(default=48, ge=1, le=MAX_HOURS)


class BusinessHours(Input):
    """The hours in which CS works: the SLA clock runs only then (SPEC §2.3)."""

    timezone: Word = Field(description="IANA time zone, e.g. Europe/Amsterdam")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1, max_length=7)
    start: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(default="17:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
    holidays: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
        description="ISO 3166 country (and optional subdivision, e.g. DE-BY) whose public "
                    "holidays stop the clock")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"{value!r} is not an IANA time zone (e.g. Europe/Amsterdam)"
            raise ValueError(msg) from None
        return value

    @field_validator("days")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            msg = "a day is listed twice"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _a_working_day(self) -> BusinessHours:
        if self.end != "24:00" and self.end <= self.start:
            msg = f"end {self.end} must be after start {self.start}"
            raise ValueError(msg)
        return self


class Stage(Input):
    """A pipeline stage and what must be done before a deal moves past it."""

    id: Word
    probability: int = Field(ge=0, le=100)
    requires: list[Word] = Field(default_factory=list)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class PlanTask(Input):
    """A task of the onboarding plan, dated contract start + 7 x week days.

    A recurring task (``repeat: [mon, wed, fri]``) happens on those weekdays from its week on,
    until the start of ``until_week`` when given (else open-ended): a calendar recurrence rule.
    """

    week: int = Field(ge=-52, le=260)
    owner: Word
    task: Text
    touchpoint: bool = False
    repeat: list[Weekday] = Field(default_factory=list, max_length=7)
    until_week: int | None = Field(default=None, ge=-52, le=260)

    @model_validator(mode="after")
    def _recurrence(self) -> PlanTask:
        if len(set(self.repeat)) != len(self.repeat):
            raise ValueError("repeat: a day is listed twice")
        if self.until_week is not None:
            if not self.repeat:
                raise ValueError("until_week is for a recurring task: give repeat as well")
            if self.until_week <= self.week:
                raise ValueError(f"until_week {self.until_week} must come after week {self.week}")
        return self


#: A name in a ``notify`` list that stands for the deal's sales representative.
SALES_REP = "sales_rep"


class Notify(Input):
    """Who hears of what (SPEC §11): names are teams, approver roles, ``sales_rep`` or addresses.

    A name that is both a team and an approver role means the team (``finance`` may be the
    billing mailbox here and the CFO in ``approvers``).
    """

    #: Plain address lists, by team name.
    teams: dict[Word, list[Word]] = Field(default_factory=dict)
    on_po_issued: list[Word] = Field(default_factory=list)
    on_go_live_set: list[Word] = Field(default_factory=list)
    #: Told as well when an approval request passes sla_hours (the approvers and the submitter
    #: always are).
    on_sla_breached: list[Word] = Field(default_factory=list)
    #: Language of the notifications (a Babel locale: en, de_DE, ...).
    locale: LocaleCode = "en"



#: What recorded evidence can say of an item: it was received, or it was also approved.
EvidenceStatus = Literal["received", "approved"]
#: The policy's checklists, by the action they come before.
CHECKLISTS = ("pricing", "po", "onboarding")


class ChecklistItem(Input):
    """A checklist item with a condition: its evidence must be recorded as ``approved``.

    Written in a checklist instead of the item's bare name, e.g. ``{item: credit_application,
    requires: approved, approvers: [finance]}``. Evidence typed into the deal file, or recorded
    as only ``received`` (``docgen evidence add``), then leaves a finding saying the approval is
    missing. With `approvers`, only an approval recorded by someone the policy names for one of
    those roles counts.
    """

    item: Word
    requires: EvidenceStatus = "received"
    approvers: list[Word] = Field(default_factory=list)

    @model_validator(mode="after")
    def _approvers_approve(self) -> ChecklistItem:
        if self.approvers and self.requires != "approved":
            raise ValueError("approvers: give them with requires: approved (they are who may "
                             "record the item approved)")
        return self


def _entries(raw: list[Any]) -> tuple[ChecklistItem, ...]:
    """A checklist's entries as items with their condition, each item once."""
    out: dict[str, ChecklistItem] = {}
    for e in raw:
        entry = ChecklistItem(item=e) if isinstance(e, str) else e
        out.setdefault(entry.item, entry)
    return tuple(out.values())


#: The entries of a checklist's list: the rules ask for every checklist of every deal validated.
_ENTRIES_OF = IdentityMemo(_entries, limit=1024)
#: (item, the stage that requires it) pairs: what a deal must have done to be in a stage.
_Required = tuple[tuple[str, str], ...]


def _stage_order(stages: list[Any]) -> tuple[dict[str, int], list[_Required]]:
    """{stage id: position} and, per position, what the stages before it require (each item
    once, with the first stage that requires it)."""
    order = {s.id: i for i, s in reversed(list(enumerate(stages)))}
    required: list[_Required] = []
    seen: dict[str, str] = {}
    for stage in stages:
        required.append(tuple(seen.items()))
        for item in stage.requires:
            seen.setdefault(item, stage.id)
    return order, required


#: :func:`_stage_order` of a policy's stages, for :meth:`Policy.stage_position` and
#: :meth:`Policy.required_before`.
_STAGE_ORDER = IdentityMemo(_stage_order, limit=1024)


def _entry_kind(value: Any) -> str:
    return "<item with a condition>" if isinstance(value, dict | ChecklistItem) else "<item>"


#: A checklist entry: an item's name (its evidence must exist), or the item with a condition.
ChecklistEntry = Annotated[
    Annotated[Word, Tag("<item>")] | Annotated[ChecklistItem, Tag("<item with a condition>")],
    Discriminator(_entry_kind),
]


class Checklists(Input):
    """Evidence that must exist before an action.

    Each list names items (``mnda_signed``) or items with a condition (``{item:
    credit_application, requires: approved}``); code reads them through ``items()`` and
    ``entries()``, which give names and conditions alike.
    """

    pricing: list[ChecklistEntry] = Field(default_factory=list)
    po: list[ChecklistEntry] = Field(default_factory=list)
    onboarding: list[ChecklistEntry] = Field(default_factory=list)

    def entries(self, which: str) -> list[ChecklistItem]:
        """The entries of checklist `which` (pricing, po, onboarding) as items with their
        condition (a bare name requires evidence ``received``), each item once, in order."""
        return list(_ENTRIES_OF(getattr(self, which)))

    def items(self, which: str) -> list[str]:
        """The item names of checklist `which`, each once, in order."""
        return [e.item for e in self.entries(which)]

    def entry(self, which: str, item: str) -> ChecklistItem:
        """Item `item` of checklist `which` with its condition (``received`` when not listed)."""
        return next((e for e in self.entries(which) if e.item == item),
                    ChecklistItem(item=item))

    @property
    def all_items(self) -> list[str]:
        """Every item of every checklist, each once, in checklist order."""
        return list(dict.fromkeys(i for w in CHECKLISTS for i in self.items(w)))

    def approvers_of(self, item: str) -> list[str]:
        """The roles any checklist names to approve `item` (empty: anyone may)."""
        return list(dict.fromkeys(r for w in CHECKLISTS for e in self.entries(w)
                                  if e.item == item for r in e.approvers))


class Policy(Input):
    """The whole policy file."""

    #: An approver never approves a deal they sell or submitted, and one person counts for one
    #: role per finding (SPEC §9).
    separation_of_duties: bool = True
    #: The policy's version label; ``docgen policy lock`` records it, and a changed policy
    #: needs a new one (SPEC §2.3). Optional in the file, required to lock it.
    version: Word | None = None
    territories: list[Word] = Field(min_length=1)
    tax_rates: dict[Word, TaxRate] = Field(default_factory=dict)
    discount_bands: list[Band] = Field(min_length=1)
    exceptions: ExceptionPolicy
    #: Without it, the SLA counts calendar hours.
    business_hours: BusinessHours | None = None
    approvers: dict[Word, list[Word]] = Field(default_factory=dict)
    notify: Notify = Field(default_factory=Notify)
    checklists: Checklists = Field(default_factory=Checklists)
    go_live_notice_hours: int = Field(default=72, ge=0, le=MAX_HOURS)
    po_valid_days: int = Field(default=30, ge=1, le=MAX_DAYS)
    po_number_prefix: Word = "PO"
    stages: list[Stage] = Field(default_factory=list)
    #: A stage a deal may move to from any stage; a deal there takes no final document (STG002).
    lost_stage: Word | None = None
    #: Before this stage a final PO is not issued, only a quotation (STG001); None: any stage.
    po_from: Word | None = None
    #: Before this stage onboarding checklist items are "to do" (CHK003 info), from it on they
    #: block; None: they always block.
    onboarding_from: Word | None = None
    #: Fewest days from the contract's signature (evidence.signed_contract) to go-live (DAT003).
    onboarding_min_days: int = Field(default=7, ge=0, le=MAX_DAYS)
    #: Checklist and stage items that are yes/no questions: `false` answers them (it is not
    #: missing evidence, as it is for every other item).
    questions: list[Word] = Field(default_factory=list)
    onboarding_plan: list[PlanTask] = Field(default_factory=list)

    # The stage fields are checked one by one (not in _consistent) so that a problem names its
    # own field and line; `stages` and `checklists` come earlier in the class, so they are in
    # info.data when validated.
    @field_validator("po_from", "onboarding_from")
    @classmethod
    def _pipeline_stage(cls, value: str | None, info: ValidationInfo) -> str | None:
        ids = [s.id for s in info.data.get("stages", [])]
        if value is not None and value not in ids:
            msg = f"{value!r} is not a stage of the policy ({', '.join(ids) or 'none defined'})"
            raise ValueError(msg)
        return value

    @field_validator("lost_stage")
    @classmethod
    def _apart_from_pipeline(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value in [s.id for s in info.data.get("stages", [])]:
            msg = (f"{value!r} is also a pipeline stage; the lost stage stands apart from the "
                   "ordered stages")
            raise ValueError(msg)
        return value

    @field_validator("questions")
    @classmethod
    def _known_items(cls, value: list[str], info: ValidationInfo) -> list[str]:
        lists = info.data.get("checklists")
        items = {i for s in info.data.get("stages", []) for i in s.requires}
        if lists is not None:
            items |= set(lists.all_items)
        strays = [q for q in value if q not in items]
        if strays:
            msg = f"{', '.join(strays)}: not an item of any stage or checklist of the policy"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        ups = [b.up_to for b in self.discount_bands]
        if ups != sorted(ups) or len(set(ups)) != len(ups):
            raise ValueError("discount_bands: up_to must rise strictly from band to band")
        if ups[-1] != 100:
            raise ValueError("discount_bands: the last band must reach up_to 100")
        # a band with no approvers lets its discounts through unseen: only the lowest band may
        # (a policy cannot switch PRC001 off by emptying the bands)
        open_bands = [b.up_to for b in self.discount_bands[1:] if not b.approvers]
        if open_bands or not self.discount_bands[-1].approvers:
            shown = ", ".join(str(u) for u in open_bands) or str(ups[-1])
            raise ValueError(f"discount_bands: every band but the lowest needs approvers (the "
                             f"band up to {shown} % has none)")
        roles = set(self.approvers)
        needed = {r for b in self.discount_bands for r in b.approvers} | set(
            self.exceptions.approvers)
        missing = sorted(needed - roles)
        if missing:
            raise ValueError(f"approvers: no one holds the role(s) {', '.join(missing)}")
        ids = self.stage_ids
        if len(set(ids)) != len(ids):
            raise ValueError("stages: a stage id appears twice")
        unknown = sorted(set(self.tax_rates) - set(self.territories))
        if unknown:
            raise ValueError(f"tax_rates: {', '.join(unknown)} not in territories")
        strays = sorted({r for w in CHECKLISTS for e in self.checklists.entries(w)
                         for r in e.approvers} - roles)
        if strays:
            raise ValueError(f"checklists: {', '.join(strays)} (approvers of a checklist "
                             "item) is not a role of the policy's approvers")
        self._notify_names()
        return self

    def _notify_names(self) -> None:
        """Every name of a notify list is a team, an approver role, sales_rep or an address."""
        n = self.notify
        known = set(n.teams) | set(self.approvers) | {SALES_REP}
        for field in ("on_po_issued", "on_go_live_set", "on_sla_breached"):
            strays = [x for x in getattr(n, field) if x not in known and "@" not in x]
            if strays:
                raise ValueError(f"notify.{field}: {', '.join(strays)} is not a team of "
                                 "notify.teams, an approver role, sales_rep or an address")

    @property
    def evidence_items(self) -> list[str]:
        """Every item the policy asks evidence for: the stages' ``requires`` in stage order,
        then the checklists' items; each once."""
        names = [i for s in self.stages for i in s.requires] + self.checklists.all_items
        return list(dict.fromkeys(names))

    @property
    def stage_ids(self) -> list[str]:
        """The pipeline stages' ids, in order (the lost stage is not among them)."""
        return [s.id for s in self.stages]

    @property
    def deal_stages(self) -> list[str]:
        """Every stage a deal may be in: the pipeline stages, then the lost stage."""
        return self.stage_ids + ([self.lost_stage] if self.lost_stage else [])

    def stage_position(self, stage: str | None) -> int | None:
        """Where `stage` is in the pipeline (0 for the first stage), or None when it is not a
        pipeline stage (None, the lost stage, or an unknown id)."""
        return None if stage is None else _STAGE_ORDER(self.stages)[0].get(stage)

    def required_before(self, stage: str) -> _Required:
        """(item, the stage that requires it) of every item the pipeline stages before `stage`
        require, each item once with the first stage that requires it, in stage order; empty
        for the first stage and for anything not a pipeline stage."""
        order, required = _STAGE_ORDER(self.stages)
        at = order.get(stage)
        return () if at is None else required[at]

    def is_before(self, stage: str | None, bound: str | None) -> bool:
        """True when `stage` is a pipeline stage that comes before the pipeline stage `bound`.

        False when either is None or not a pipeline stage (the lost stage included): callers
        use it to relax a check, so anything it cannot place keeps the strict behaviour.
        """
        at, end = self.stage_position(stage), self.stage_position(bound)
        return at is not None and end is not None and at < end

    def evidence_in(self, deal: Deal) -> frozenset[str]:
        """Every item `deal` records evidence for: a date, `true` or a record.

        `false` is missing evidence, except for the policy's `questions`, where it is the answer.
        """
        questions = self.questions
        return frozenset(item for item, ev in deal.evidence.items()
                         if ev.done or item in questions)

    def band_for(self, pct: Pct) -> Band:
        """The band a discount of `pct` percent falls in (the first whose up_to reaches it)."""
        for band in self.discount_bands:
            if pct <= band.up_to:
                return band
        return self.discount_bands[-1]
