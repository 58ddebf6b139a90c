# voice-sim: `make demo` and `make test` are all a fresh machine needs.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO_OUT ?= out/demo

.PHONY: demo test lint typecheck bench bench-browser install system-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,mic,piper]"
	touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

## demo: a simulated call (scripted customer, bot trainee) with real Silero, Whisper and Piper, analysed and scored
demo: install
	$(BIN)/voice-sim simulate --out $(DEMO_OUT)

## test: the whole suite, real models included (slow marker is run too)
test: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check voice_sim personas audio_analysis scoring tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/stt_wer.py
	$(BIN)/python bench/turns.py
	$(BIN)/python bench/nods.py
	$(BIN)/python bench/analysis_accuracy.py
	$(BIN)/python bench/scoring_calibration.py
	$(BIN)/python bench/cli_speed.py
	$(BIN)/python bench/web.py

## bench-browser: the browser call's transports and capacity (about 25 minutes; needs chromium)
bench-browser: install
	$(BIN)/python bench/browser_transport.py
	$(BIN)/python bench/browser_capacity.py --ks 1,2,4,6,8

clean:
	rm -rf out build *.egg-info
