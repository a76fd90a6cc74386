# Message catalogs of the document labels (templates/locale). Included by the Makefile.
#
#   make i18n-extract   labels.py + policy plan tasks -> templates/locale/messages.pot
#   make i18n-update    merge messages.pot into every language's messages.po (new entries empty)
#   make i18n-compile   compile every catalog into a throw-away folder (syntax + statistics) and
#                       check them with `docgen templates check` (untranslated, fuzzy, placeholders)
#   make i18n-init I18N_NEW=es   start a catalog for a new language
#
# docgen reads the .po files directly at run time: there are no .mo files to ship.

PYBABEL ?= $(or $(BIN),.venv/bin)/pybabel
DOCGEN ?= $(or $(BIN),.venv/bin)/docgen
LOCALE_DIR ?= templates/locale
I18N_POT := $(LOCALE_DIR)/messages.pot
I18N_LANGS = $(sort $(notdir $(patsubst %/LC_MESSAGES/messages.po,%,$(wildcard $(LOCALE_DIR)/*/LC_MESSAGES/messages.po))))

.PHONY: i18n-extract i18n-update i18n-compile i18n-init

i18n-extract:
	$(PYBABEL) extract -F mk/babel.toml -k N_ -k Nn_:1,2 --no-default-keywords --add-comments=TRANSLATORS: --sort-by-file \
	  --project=docgen --copyright-holder="docgen authors" --width=100 \
	  -o $(I18N_POT) docgen/render/labels.py skus/policy.yaml

i18n-update: i18n-extract
	$(PYBABEL) update -i $(I18N_POT) -d $(LOCALE_DIR) -D messages --ignore-obsolete --width=100

i18n-compile:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for lang in $(I18N_LANGS); do \
	  $(PYBABEL) compile --statistics -D messages -l $$lang \
	    -i $(LOCALE_DIR)/$$lang/LC_MESSAGES/messages.po -o "$$tmp/$$lang.mo" || exit 1; \
	done
	$(DOCGEN) -w . templates check $(wildcard $(LOCALE_DIR)/*/LC_MESSAGES/messages.po)

i18n-init:
	@test -n "$(I18N_NEW)" || { echo "usage: make i18n-init I18N_NEW=<language, e.g. es>"; exit 2; }
	$(PYBABEL) init -i $(I18N_POT) -d $(LOCALE_DIR) -D messages -l $(I18N_NEW) --width=100

# The notification mails (templates/mail, domain "mail"): the same steps for their catalogs.
#   make mail-i18n-update   templates/mail -> templates/locale/mail.pot, merged into every mail.po
MAIL_POT := $(LOCALE_DIR)/mail.pot

.PHONY: mail-i18n-extract mail-i18n-update

mail-i18n-extract:
	$(PYBABEL) extract -F mk/babel-mail.toml --no-default-keywords -k _ -k gettext -k ngettext:1,2 \
	  --sort-by-file --project=docgen --copyright-holder="docgen authors" --width=100 \
	  -o $(MAIL_POT) templates/mail

mail-i18n-update: mail-i18n-extract
	$(PYBABEL) update -i $(MAIL_POT) -d $(LOCALE_DIR) -D mail --ignore-obsolete --width=100
