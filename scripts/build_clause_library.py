"""Build the sample clause library in templates/clauses/ (index.yaml and one Word file per clause
and language).

Legal owns these files and edits them in Word; this script only produced their first version and
is kept so that a lost library can be rebuilt. Running it overwrites templates/clauses/:
    .venv/bin/python scripts/build_clause_library.py
Then run `docgen templates check`.

Each Word file is a minimal WordprocessingML package (content types, relationships, one
document part): the first paragraph, in bold, is the clause's heading, the others its text.
Word and LibreOffice open it as it is; whatever legal saves from Word reads the same.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent.parent / "templates" / "clauses"
EU = ["DE", "FR", "ES", "IT", "NL"]
SERVICES = ["workshop", "audit", "training", "onsite", "managed_service", "custom"]

#: (id, condition as YAML flow text or "", {lang: (heading, [paragraphs])})
CLAUSES: list[tuple[str, str, dict[str, tuple[str, list[str]]]]] = [
    ("parties_and_scope", "", {
        "en": ("Parties and scope", [
            "This order form is entered into between {vendor} (the \u201cVendor\u201d) and "
            "{customer} (the \u201cCustomer\u201d). It covers the products and services listed "
            "above, at the prices shown, on the terms below."]),
        "fr": ("Parties et objet", [
            "Le présent bon de commande est conclu entre {vendor} (le \u00ab\u00a0Fournisseur"
            "\u00a0\u00bb) et {customer} (le \u00ab\u00a0Client\u00a0\u00bb). Il porte sur les "
            "produits et services énumérés ci-dessus, aux prix indiqués, aux conditions "
            "ci-après."]),
        "de": ("Vertragsparteien und Gegenstand", [
            "Dieses Bestellformular wird zwischen {vendor} (\u201eAnbieter\u201c) und {customer} "
            "(\u201eKunde\u201c) geschlossen. Es umfasst die oben aufgeführten Produkte und "
            "Leistungen zu den angegebenen Preisen und den nachstehenden Bedingungen."]),
    }),
    ("subscription", "{families: [licence, usage, support, bundle]}", {
        "en": ("Subscription", [
            "The Vendor grants the Customer a non-exclusive, non-transferable right to use the "
            "subscribed services for its internal business purposes during the term, within the "
            "quantities ordered. Usage above an included threshold is charged at the overage "
            "price shown."]),
        "fr": ("Abonnement", [
            "Le Fournisseur concède au Client un droit non exclusif et non cessible d'utiliser "
            "les services souscrits pour ses besoins internes pendant la durée du contrat, dans "
            "les quantités commandées. L'usage au-delà d'un seuil inclus est facturé au prix de "
            "dépassement indiqué."]),
        "de": ("Abonnement", [
            "Der Anbieter räumt dem Kunden für die Laufzeit ein nicht ausschließliches, nicht "
            "übertragbares Recht ein, die abonnierten Dienste für eigene Geschäftszwecke im "
            "bestellten Umfang zu nutzen. Nutzung über eine enthaltene Schwelle hinaus wird zum "
            "angegebenen Mehrpreis berechnet."]),
    }),
    ("term", "", {
        "en": ("Term", [
            "The contract starts on {start} and runs for {term}, until {end}."]),
        "fr": ("Durée", [
            "Le contrat prend effet le {start} pour une durée de {term}, jusqu'au {end}."]),
        "de": ("Laufzeit", [
            "Der Vertrag beginnt am {start} und läuft {term}, bis zum {end}."]),
    }),
    ("auto_renewal", "{renewal: auto}", {
        "en": ("Renewal", [
            "At the end of the term the contract renews for a further {term}, and so on, unless "
            "either party gives written notice at least {notice_days} days before the end of "
            "the current term."]),
        "fr": ("Renouvellement", [
            "À son terme, le contrat est renouvelé pour une nouvelle période de {term}, et ainsi "
            "de suite, sauf dénonciation écrite par l'une des parties au moins {notice_days} "
            "jours avant la fin de la période en cours."]),
        "de": ("Verlängerung", [
            "Zum Ende der Laufzeit verlängert sich der Vertrag jeweils um weitere {term}, sofern "
            "keine Partei mindestens {notice_days} Tage vor Ablauf der laufenden Periode "
            "schriftlich kündigt."]),
    }),
    ("payment_invoice", "{payment_type: [invoice]}", {
        "en": ("Fees and payment", [
            "The Vendor invoices recurring fees in advance and services when ordered. Invoices "
            "are payable {payment_terms}. Late payments bear interest at the statutory rate."]),
        "fr": ("Prix et paiement", [
            "Le Fournisseur facture les redevances d'avance et les services à la commande. Les "
            "factures sont payables à {payment_terms}. Tout retard de paiement porte intérêt au "
            "taux légal."]),
        "de": ("Vergütung und Zahlung", [
            "Der Anbieter stellt wiederkehrende Entgelte im Voraus und Leistungen bei Bestellung "
            "in Rechnung. Rechnungen sind zahlbar {payment_terms}. Verzugszinsen fallen in "
            "gesetzlicher Höhe an."]),
    }),
    ("payment_direct_debit", "{payment_type: [direct_debit]}", {
        "en": ("Fees and payment by direct debit", [
            "The Customer authorises the Vendor to collect the fees by SEPA direct debit from "
            "the account it names. The Vendor gives at least five days' notice of each "
            "collection; a returned debit is charged at cost."]),
        "fr": ("Prix et paiement par prélèvement", [
            "Le Client autorise le Fournisseur à prélever les sommes dues par prélèvement SEPA "
            "sur le compte qu'il désigne. Le Fournisseur notifie chaque prélèvement au moins "
            "cinq jours à l'avance\u00a0; un rejet est refacturé à prix coûtant."]),
        "de": ("Vergütung und Zahlung per Lastschrift", [
            "Der Kunde ermächtigt den Anbieter, die Entgelte per SEPA-Lastschrift von dem "
            "angegebenen Konto einzuziehen. Der Anbieter kündigt jeden Einzug mindestens fünf "
            "Tage vorher an; Rücklastschriften werden zu Selbstkosten berechnet."]),
    }),
    ("payment_card", "{payment_type: [card, prepayment]}", {
        "en": ("Fees and payment in advance", [
            "The fees are paid in advance, by card or bank transfer, before each billing period "
            "starts. Services start once the payment is received."]),
        "fr": ("Prix et paiement d'avance", [
            "Les sommes dues sont payées d'avance, par carte ou virement, avant chaque période "
            "de facturation. Les services débutent à réception du paiement."]),
        "de": ("Vergütung und Vorauszahlung", [
            "Die Entgelte werden vor Beginn jeder Abrechnungsperiode per Karte oder Überweisung "
            "im Voraus gezahlt. Die Leistungen beginnen mit Zahlungseingang."]),
    }),
    ("professional_services", "{families: [" + ", ".join(SERVICES) + "]}", {
        "en": ("Professional services", [
            "Services are performed as described in the statement of work. Workshops, audits "
            "and training must be used by the use-by date shown; services not used by then "
            "lapse without refund."]),
        "fr": ("Prestations de services", [
            "Les prestations sont exécutées conformément à l'énoncé des travaux. Les ateliers, "
            "audits et formations doivent être utilisés avant la date limite indiquée\u00a0; "
            "au-delà, ils sont perdus sans remboursement."]),
        "de": ("Dienstleistungen", [
            "Leistungen werden gemäß der Leistungsbeschreibung erbracht. Workshops, Audits und "
            "Schulungen sind bis zum angegebenen Datum abzurufen; danach verfallen sie ohne "
            "Erstattung."]),
    }),
    ("data_protection_eu", "{territory: [" + ", ".join(EU) + "]}", {
        "en": ("Data protection", [
            "Where the Vendor processes personal data on the Customer's behalf, it does so as "
            "processor under the data processing agreement annexed to this contract, in "
            "accordance with Regulation (EU) 2016/679 (GDPR). Customer data is hosted in the "
            "European Union."]),
        "fr": ("Protection des données", [
            "Lorsque le Fournisseur traite des données personnelles pour le compte du Client, il "
            "agit en qualité de sous-traitant selon l'accord de traitement annexé au présent "
            "contrat, conformément au règlement (UE) 2016/679 (RGPD). Les données du Client "
            "sont hébergées dans l'Union européenne."]),
        "de": ("Datenschutz", [
            "Soweit der Anbieter personenbezogene Daten im Auftrag des Kunden verarbeitet, "
            "geschieht dies als Auftragsverarbeiter nach der beigefügten Vereinbarung zur "
            "Auftragsverarbeitung gemäß Verordnung (EU) 2016/679 (DSGVO). Die Daten des Kunden "
            "werden in der Europäischen Union gespeichert."]),
    }),
    ("onboarding_new_customer", "{new_customer: true}", {
        "en": ("Onboarding", [
            "As a new customer, the Customer receives the starter pack listed above. The "
            "parties agree the onboarding plan and contacts in the onboarding form."]),
        "fr": ("Mise en route", [
            "En tant que nouveau client, le Client bénéficie du pack de démarrage indiqué "
            "ci-dessus. Les parties conviennent du plan de mise en route et des contacts dans "
            "le formulaire d'intégration."]),
        "de": ("Onboarding", [
            "Als Neukunde erhält der Kunde das oben aufgeführte Startpaket. Onboarding-Plan und "
            "Ansprechpartner vereinbaren die Parteien im Onboarding-Formular."]),
    }),
    ("liability", "", {
        "en": ("Liability", [
            "Each party's total liability under this contract is limited to the fees paid or "
            "payable in the twelve months before the event giving rise to the claim. The limit "
            "does not apply to wilful misconduct, gross negligence or breaches of "
            "confidentiality."]),
        "fr": ("Responsabilité", [
            "La responsabilité totale de chaque partie au titre du présent contrat est limitée "
            "aux sommes payées ou dues au cours des douze mois précédant le fait générateur. "
            "Cette limite ne s'applique pas en cas de faute intentionnelle, de faute lourde ou "
            "de violation de la confidentialité."]),
        "de": ("Haftung", [
            "Die Gesamthaftung jeder Partei aus diesem Vertrag ist auf die in den zwölf Monaten "
            "vor dem haftungsbegründenden Ereignis gezahlten oder geschuldeten Entgelte "
            "begrenzt. Die Begrenzung gilt nicht bei Vorsatz, grober Fahrlässigkeit oder "
            "Verletzung der Vertraulichkeit."]),
    }),
    ("governing_law", "", {
        "en": ("Governing law", [
            "This contract is governed by the laws of the Netherlands. The courts of Amsterdam "
            "have exclusive jurisdiction."]),
        "fr": ("Droit applicable", [
            "Le présent contrat est régi par le droit néerlandais. Les tribunaux d'Amsterdam "
            "sont seuls compétents."]),
        "de": ("Anwendbares Recht", [
            "Dieser Vertrag unterliegt niederländischem Recht. Ausschließlicher Gerichtsstand "
            "ist Amsterdam."]),
    }),
]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def _para(text: str, *, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return (f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')


def clause_docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal Word document: the heading in bold, then one paragraph per text."""
    body = _para(title, bold=True) + "".join(_para(p) for p in paragraphs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body>'
           '</w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", doc)):
            zi = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    return buf.getvalue()


INDEX_HEAD = """\
# The clause library of the contract (order form): which clauses a contract holds, in this order,
# and when. Each clause's text is a Word file per language: <id>/en.docx, <id>/fr.docx, ...
# A clause applies when every field of its `when` matches the deal (a list: any of its items):
#   territory     the customer's territory             (e.g. [DE, FR])
#   families      any line sold of these families      (licence, workshop, ..., custom)
#   payment_type  the deal's contract.payment_type     (invoice, direct_debit, card, prepayment)
#   renewal       the deal's contract.renewal          (auto or none)
#   new_customer  the deal's customer.new              (true or false)
# A clause without `when` is in every contract. Run `docgen templates check` after a change.
clauses:
"""


def main() -> None:
    """Write index.yaml and every clause's Word files."""
    OUT.mkdir(parents=True, exist_ok=True)
    lines = [INDEX_HEAD]
    for cid, when, texts in CLAUSES:
        lines.append(f"  - id: {cid}\n" + (f"    when: {when}\n" if when else ""))
        for lang, (title, paras) in texts.items():
            path = OUT / cid / f"{lang}.docx"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(clause_docx(title, paras))
    (OUT / "index.yaml").write_text("".join(lines), "utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
