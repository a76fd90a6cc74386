"""Notification messages from the workspace's mail templates, translated with Babel catalogs.

Each kind of notification has two templates in ``templates/mail/``: ``KIND.txt`` (its first line
is the subject, then a blank line, then the plain-text body) and ``KIND.html`` (the HTML body,
usually extending ``mail/base.html``). They run in the same sandbox as the document templates
(the HTML one autoescaped), with Jinja's i18n extension: ``{% trans %}…{% endtrans %}`` and
``_("…")`` look their text up in ``templates/locale/<lang>/LC_MESSAGES/mail.po`` (the full
locale first, then the language; English when there is none). A workspace without
``templates/mail/`` uses the bundled sample's templates and catalogs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from docgen.errors import RenderError

__all__ = ["KINDS", "Composer", "mail_templates_dir"]

#: The kinds of notification, each with KIND.txt and KIND.html.
KINDS = ("approval_requested", "reminder", "escalation", "decision", "po_issued", "go_live_set")
DOMAIN = "mail"


def mail_templates_dir(templates_dir: Path) -> Path:
    """The templates folder that holds ``mail/``: the workspace's, else the bundled sample's."""
    if (templates_dir / "mail").is_dir():
        return templates_dir
    from docgen.workspace import sample_root

    return sample_root() / "templates"


@lru_cache(maxsize=32)
def _catalog(locale_dir: Path, locale: str, stamp: float) -> dict[str, Any]:
    """msgid -> msgstr (or plural forms) of ``mail.po`` for `locale` (`stamp`: the file's mtime)."""
    from babel.messages.pofile import read_po

    for tag in dict.fromkeys((locale, locale.split("_")[0])):
        po = locale_dir / tag / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=tag)
            return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string
                    for m in catalog if m.id and m.string and not m.fuzzy}
    return {}


def _stamp(locale_dir: Path, locale: str) -> float:
    for tag in dict.fromkeys((locale, locale.split("_")[0])):
        po = locale_dir / tag / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            return po.stat().st_mtime
    return 0.0


class Composer:
    """Renders the subject, text and HTML of a notification in one locale."""

    def __init__(self, templates_dir: Path, locale: str) -> None:
        self.root = mail_templates_dir(templates_dir)
        self.locale = locale
        self._envs: dict[bool, Any] = {}

    def _env(self, *, html: bool) -> Any:
        if html not in self._envs:
            from docgen.render.pdf import jinja_env

            env = jinja_env(self.root, extensions=["jinja2.ext.i18n"])
            env.autoescape = html
            catalog = _catalog(self.root / "locale", self.locale,
                               _stamp(self.root / "locale", self.locale))

            def gettext(message: str) -> str:
                found = catalog.get(message)
                return found if isinstance(found, str) and found else message

            def ngettext(singular: str, plural: str, n: int) -> str:
                from decimal import Decimal

                from docgen.render.i18n import plural_index

                forms = catalog.get(singular)
                if isinstance(forms, tuple | list) and all(forms):
                    idx = plural_index(self.locale, Decimal(n))
                    return str(forms[min(idx, len(forms) - 1)])
                return singular if n == 1 else plural

            env.install_gettext_callables(gettext, ngettext, newstyle=True)
            self._envs[html] = env
        return self._envs[html]

    def compose(self, kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """(subject, text body, HTML body) of a `kind` notification with `context`.

        Raises RenderError naming the template when one is missing or fails.
        """
        context = {**context, "lang": self.locale.split("_")[0]}
        text = self._render(f"mail/{kind}.txt", context, html=False)
        subject, _, body = text.lstrip("\n").partition("\n")
        html = self._render(f"mail/{kind}.html", {**context, "subject": subject.strip()},
                            html=True)
        return " ".join(subject.split()), body.strip("\n") + "\n", html

    def _render(self, name: str, context: dict[str, Any], *, html: bool) -> str:
        from jinja2 import TemplateError, TemplateNotFound

        try:
            return str(self._env(html=html).get_template(name).render(context))
        except TemplateNotFound:
            msg = f"{self.root / name}: mail template missing"
            raise RenderError(msg) from None
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{self.root / name}" + (f":{line}" if line else "")
            msg = f"{where}: {exc}"
            raise RenderError(msg) from None
