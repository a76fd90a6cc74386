"""Notifications (SPEC §11): who hears of approvals, decisions, POs and go-live dates, by e-mail.

The session calls the :class:`Notifier` when a command causes an event; ``docgen notify`` sends
the reminders and escalations that are due and retries what failed. See :mod:`._notifier`.
"""

from __future__ import annotations

from docgen.notify._notifier import Notifier, NotifyRun, idempotency_key
from docgen.notify._smtp import ENV_FROM, ENV_SMTP, smtp_target

__all__ = ["ENV_FROM", "ENV_SMTP", "Notifier", "NotifyRun", "idempotency_key", "smtp_target"]
