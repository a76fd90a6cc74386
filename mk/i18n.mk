# Message catalogs of the document labels (templates/locale). Included by the Makefile.
# Each target runs `docgen i18n …` on the repository's own workspace; in any other workspace run
# the same commands there (`docgen i18n update`, `compile`, `init LANG`): no make, no repository.
#
#   make i18n-extract   labels + the policy's plan tasks -> templates/locale/messages.pot
#   make i18n-update    merge messages.pot into every language's messages.po (new entries empty)
#   make i18n-compile   compile every catalog (syntax + statistics) and check catalogs and label
#                       overrides (untranslated, fuzzy, placeholders, unknown keys)
#   make i18n-init I18N_NEW=es   start a catalog for a new language
#
# docgen reads the .po files directly at run time: there are no .mo files to ship.

DOCGEN ?= $(or $(BIN),.venv/bin)/docgen

.PHONY: i18n-extract i18n-update i18n-compile i18n-init

i18n-extract:
	$(DOCGEN) -w . i18n extract

i18n-update:
	$(DOCGEN) -w . i18n update

i18n-compile:
	$(DOCGEN) -w . i18n compile

i18n-init:
	@test -n "$(I18N_NEW)" || { echo "usage: make i18n-init I18N_NEW=<language, e.g. es>"; exit 2; }
	$(DOCGEN) -w . i18n init $(I18N_NEW)

# The notification mails (templates/mail, domain "mail"): the same steps for their catalogs.
#   make mail-i18n-update   templates/mail -> templates/locale/mail.pot, merged into every mail.po
PYBABEL ?= $(or $(BIN),.venv/bin)/pybabel
LOCALE_DIR ?= templates/locale
MAIL_POT := $(LOCALE_DIR)/mail.pot

.PHONY: mail-i18n-extract mail-i18n-update

mail-i18n-extract:
	$(PYBABEL) extract -F mk/babel-mail.toml --no-default-keywords -k _ -k gettext -k ngettext:1,2 \
	  --sort-by-file --project=docgen --copyright-holder="docgen authors" --width=100 \
	  -o $(MAIL_POT) templates/mail

mail-i18n-update: mail-i18n-extract
	$(PYBABEL) update -i $(MAIL_POT) -d $(LOCALE_DIR) -D mail --ignore-obsolete --width=100
