# Two commands for a newcomer: `make lab` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make lab` installs the course alone (runtime dependencies); `make test` adds the dev extra
# (pytest, ruff, playwright) to the same .venv. CI adds the export extra (torch==2.13.0 CPU build,
# onnx, ...) so the re-export tests run.
EXTRAS ?= dev
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
LAB_STAMP := $(VENV)/.installed-base
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
# A kernel that dies makes nbval wait for the cell's timeout: fail after 5 minutes, not 2000 s.
NBVAL := --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300
# The suite on every core, up to 4 workers (pytest-xdist); a notebook's cells, or a test file's tests,
# stay together on one worker, in order. WORKERS=0 runs everything in this process.
WORKERS ?= auto
PARALLEL := -n $(WORKERS) --maxprocesses=4 --dist loadfile

.PHONY: lab test test-extras lint format notebooks bench model soak test-offline clean
# The workshop kit (issues #13, #16): learner copies, preflight check, offline wheels.
.PHONY: exercises doctor wheelhouse test-wheelhouse
# The course across OpenVINO releases (issue #27).
.PHONY: releases test-releases

$(VENV)/.installed-%: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".$(if $(filter-out base,$*),[$(subst -,$(comma),$*)])"
	@touch $@

# tools/lab.py writes the learner's copies to learner/ first (those that exist are kept).
lab: $(LAB_STAMP)
	$(BIN)/python tools/lab.py $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The course runs twice: with nbval on CPU beside every test, then in JupyterLab (the browser test) on
# AUTO, where each notebook's checked cells are compared with the committed outputs as nbval does
# (tests/checked_outputs.py), since the dropdown offers AUTO to every learner. Where the browser test
# cannot run (no Chromium or playwright), nbval runs the notebooks on AUTO instead. Tests that need an
# extra that is not installed are skipped, each with the line that installs it. Tests marked serial
# measure how OpenVINO's threads share the CPU, or count a race whose rate follows the load: they run
# after the others, alone, since a busy neighbour changes what they measure (a CI run beside notebooks
# went red on two of them).
AUTO_WITHOUT_BROWSER = @reason="$$($(BIN)/python tests/browser/course.py)"; if [ -n "$$reason" ]; then \
	  echo "$$reason: nbval runs the notebooks on AUTO"; COURSE_DEVICE=AUTO $(PYTEST) notebooks $(NBVAL) $(PARALLEL) -q $(1); fi

test: $(STAMP) lint
	$(PYTEST) tests notebooks $(NBVAL) $(PARALLEL) -m "not serial" --durations=12
	$(PYTEST) tests -m serial
	$(call AUTO_WITHOUT_BROWSER)

# After `make test` with the defaults: add the export and serve extras to the same .venv and run only
# the tests they enable (marked export or serve), which `make test` skipped (a .ci/run step).
test-extras:
	$(MAKE) EXTRAS=dev,export,serve $(VENV)/.installed-dev-export-serve
	$(PYTEST) tests notebooks $(NBVAL) $(PARALLEL) -m "export or serve"
	$(call AUTO_WITHOUT_BROWSER,-m serve)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

# The learner copies (solutions removed, outputs cleared) in learner/; existing copies are kept
# (they hold the learner's answers): FORCE=1 overwrites them.
exercises:
	@test -x $(BIN)/python || { echo "no $(VENV): run make lab (or wheelhouse/install.sh) first"; exit 1; }
	$(BIN)/python tools/strip_solutions.py $(if $(FORCE),--force)

# The workshop preflight check (docs/workshop.md); it needs the installed course, never installs it.
doctor:
	@test -x $(BIN)/python || { echo "✗ no $(VENV): run make lab, or offline wheelhouse/install.sh"; exit 1; }
	$(BIN)/python tools/doctor.py

# Wheels for an offline room, with install.sh/install.ps1 (docs/workshop.md). Other targets, e.g.
# make wheelhouse PLATFORMS="win_amd64 macosx_11_0_arm64 manylinux_2_28_x86_64" PYTHONS="3.10 3.11 3.12"
wheelhouse: $(LAB_STAMP)
	$(BIN)/python tools/wheelhouse.py $(if $(PLATFORMS),--platforms "$(PLATFORMS)") \
	  $(if $(PYTHONS),--pythons "$(PYTHONS)") $(if $(WHEEL_EXTRAS),--extras "$(WHEEL_EXTRAS)")

# Build the wheelhouse, then install from it with no network and run notebook 01 (a .ci/run step).
test-wheelhouse: $(STAMP)
	BUILDER=$(BIN)/python sh tools/check_wheelhouse.sh

# Each OpenVINO release from pyproject's floor to the newest on the index (or RELEASES="2025.0.0 2026.4.1"),
# each in a venv of its own under .cache/releases/: every notebook, the CLI tests and the canaries. Records
# what the canaries saw in tests/known_issues/register.json, the results in docs/releases.json and the
# tables in docs/releases.md, docs/known-issues.md and notebook A2. Needs only python3 and the index.
# NOTEBOOKS="01 04" runs only those notebooks (the tables say so).
releases:
	$(PYTHON) tools/releases.py --record $(if $(NOTEBOOKS),--notebooks "$(NOTEBOOKS)") $(RELEASES)

# CI's check of given releases (RELEASES="floor newest": pyproject's floor and the newest on the index):
# core notebooks 01-05 (or NOTEBOOKS="01 04"), the CLI tests, and the canaries against the register;
# writes nothing but .cache/releases/results.json.
test-releases:
	$(PYTHON) tools/releases.py --light $(if $(NOTEBOOKS),--notebooks "$(NOTEBOOKS)") $(RELEASES)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

model:
	$(MAKE) EXTRAS=dev,export $(VENV)/.installed-dev-export
	$(BIN)/python tools/export_model.py
	$(BIN)/python tools/collect_images.py
	$(BIN)/python tools/train_lenet.py

soak: $(STAMP)
	$(PYTEST) tests/soak -m slow -s

# The nbval course and the CLI tests with no network: a new network namespace holds only loopback,
# brought up for the kernels' ZMQ sockets (a down lo shows as "Kernel didn't respond" after 60 s).
# -r maps the caller to root inside, so this also works unprivileged where user namespaces are on.
test-offline: $(STAMP)
	unshare -rn sh -ec 'ip link set lo up; test "$$(ip -o link show | wc -l)" -eq 1; \
	  $(PYTEST) notebooks tests/test_cli.py tests/test_reliability_cli.py \
	    $(NBVAL)'

clean:
	rm -rf .cache benchmarks/results tests/artifacts
