# The two commands of README's quick start.  Each creates (or reuses) the
# environment outside the clone first: see tools/setup_env.sh.
SHELL := /bin/bash
DEMO_CONFIG := configs/demo/upernet_vit-tiny-p8_1xb8-1k_synthir-soda-64x64.py
DEMO_DIR := work_dirs/demo
SYNTHIR := data/synthir
RUN = venv=$$(tools/setup_env.sh) && export PATH="$$venv/bin:$$PATH" \
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" &&

.PHONY: demo test lint

# Generate SynthIR if missing, train the demo model, print its test mIoU.
demo:
	@$(RUN) \
	{ [ -f $(SYNTHIR)/meta.json ] || \
	  python tools/dataset_converters/make_synthir.py --out-dir $(SYNTHIR); \
	} && \
	python tools/train.py $(DEMO_CONFIG) --work-dir $(DEMO_DIR) && \
	python tools/test.py $(DEMO_CONFIG) "$$(cat $(DEMO_DIR)/last_checkpoint)" \
	  --work-dir $(DEMO_DIR) | tail -n 3

# Lint, then the whole test suite.
test:
	@$(RUN) ruff check . && python -m pytest tests
