# The two commands a new machine needs are `make run` and `make test`; both create the venv first.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: venv run clock test lint unit package replay backfill bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)

## Run the whole helpdesk on this machine: embedded AWS, API + UI, SMTP in, clock, outbox.
run: venv
	$(PY) -m local

## Move the running local stack's clock and fire what falls due: make clock ADVANCE=3d (or 4h, 3600).
clock: venv
	$(PY) -m local clock $(if $(ADVANCE),--advance $(ADVANCE))

## Lint, type-check and run every test (unit, integration, end-to-end, browser).
test: venv lint
	$(PY) -m pytest $(PYTEST_ARGS)

## The fast loop: pure domain and services on in-memory fakes, no moto, no browser (~30 s).
unit: venv
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

## Build the CloudFormation deployment into build/ and validate it with cfn-lint.
package: venv
	PY=$(PY) scripts/package $(STAGE)

## Invoke again what a deployed stack failed for good: make replay STACK=helpdesk [ARGS=--dry-run].
replay: venv
	$(if $(STACK),,$(error make replay needs STACK=<the CloudFormation stack's name>))
	$(PY) -m ops.replay --stack $(STACK) $(ARGS)

## Rebuild the reports and the live board from the tickets: make backfill STACK=helpdesk [ARGS=--dry-run].
backfill: venv
	$(if $(STACK),,$(error make backfill needs STACK=<the CloudFormation stack's name>))
	$(PY) -m ops.backfill --stack $(STACK) $(ARGS)

bench: venv
	$(PY) -m bench

clean:
	rm -rf $(VENV) build vendor .local
