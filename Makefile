# The two commands of README's quick start.  Each creates (or reuses) the
# environment outside the clone first: see tools/setup_env.sh.
SHELL := /bin/bash
RUN = venv=$$(tools/setup_env.sh) && export PATH="$$venv/bin:$$PATH" \
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" &&

.PHONY: demo test

# UNIP on SynthIR: MAE teacher -> NMI-HAD -> LL-FPN fine-tuning, next to
# the same fine-tuning from scratch; prints both test mIoUs.
demo:
	@$(RUN) tools/run_demo.sh

# Lint, then the whole test suite.
test:
	@$(RUN) ruff check . && python -m pytest tests
