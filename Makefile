# The two commands of the README: both build .venv from nothing.
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "whichrole needs Python 3.10, 3.11 or 3.12 (durable_rules does not build on 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/whichrole annotate sample_workbooks/requisitions.xlsx --out sample_workbooks/requisitions-annotated.xlsx

# One test process per core: the tests share nothing but the machine.
test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n auto

bench: $(STAMP)
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/python -m bench

# The figure to quote is out of fold; the in-sample one is printed beside it. The labelled
# development set lives outside the repository: without it, the repository's own set is scored.
DEV_SET := ../shared/eval/postings-dev-gold.jsonl
eval: $(STAMP)
	@if [ -f $(DEV_SET) ]; then \
		$(VENV)/bin/whichrole eval $(DEV_SET) --folds 5 --repeats 5 --disagreements postings-dev-gold.disagreements.jsonl && \
		$(VENV)/bin/whichrole eval $(DEV_SET) --disagreements postings-dev-gold.in-sample.disagreements.jsonl; \
	else echo "make eval: $(DEV_SET) is not here; scoring eval/fresh-requisitions.jsonl only"; fi
	$(VENV)/bin/whichrole eval eval/fresh-requisitions.jsonl

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info src/whichrole/*.so
