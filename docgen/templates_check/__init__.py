"""``docgen templates check``: every template of a workspace against the document data it gets.

What is checked, for ``templates/html/*.html`` (with the partials and layouts they include or
extend) and ``templates/docx/*.docx`` (body, headers and footers):

- **syntax**: a Jinja error with where it is: the line for HTML, the paragraph's text for DOCX
  (an unclosed ``{% if %}`` is reported where it opens, not at the end of the file);
- **unknown variables**: every dotted path a template uses, with loop variables expanded
  (``{% for l in lines %}{{ l.sold_amount }}`` uses ``lines[].sold_amount``), is looked up in the
  pydantic context model of the document kind (:data:`docgen.render.context.CONTEXT_MODELS`);
- **Word's traps** (DOCX, in the raw XML before docxtpl repairs it): a tag split over several
  runs by a formatting change, and curly quotes typed inside a tag by AutoFormat;
- **the template contract**: what each kind of document must print (a PO: list price, discount %
  and amount, sold amount of every line, and the totals);
- **a trial render** with sample data, for errors only running the template reveals;
- **message catalogs** (``templates/locale/*/LC_MESSAGES/messages.po``): every label translated,
  no fuzzy entries, and the ``{placeholders}`` of each translation equal to its msgid's.

Problems are data (:class:`TemplateProblem`); unusable input (no templates folder, a file that is
not a DOCX) raises :class:`~docgen.errors.InputError`.

The package's modules depend one way only::

    __init__ -> _check -> _html, _docx, _catalog, _clauses -> _problems -> _paths
"""

from docgen.templates_check._check import check_templates, template_files
from docgen.templates_check._paths import resolve, walk_template
from docgen.templates_check._problems import CONTRACT, KINDS, TemplateProblem, display_path

__all__ = ["CONTRACT", "KINDS", "TemplateProblem", "check_templates", "display_path", "resolve",
           "template_files", "walk_template"]
