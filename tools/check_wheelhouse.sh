#!/bin/sh
# The offline install test of issue #16 (make test-wheelhouse; a step of its own in .ci/run):
# 1. copy the course as a teacher would put it on a USB stick (tracked and new files, nothing
#    git-ignored) and build its wheelhouse for this platform (this step uses the network);
# 2. with no network (unshare -rn: a namespace holding only loopback), create a fresh venv from the
#    wheelhouse with its install.sh, run the doctor, and run notebook 01 under nbval.
# Skipped with a message where unshare -rn is not permitted.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
builder=${BUILDER:-$repo/.venv/bin/python}  # runs tools/wheelhouse.py (needs pip)
notebook=${NOTEBOOK:-notebooks/01-model-loading.ipynb}

if ! unshare -rn true 2>/dev/null; then
  echo "[wheelhouse] unshare -rn is not permitted here: offline install test skipped"
  exit 0
fi
# The interpreter the learner's venv is made from: the one behind the builder's venv.
base=${PYTHON:-$("$builder" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/course" "$work/home"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
    | tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -xf - -C "$work/course"
else  # an unpacked archive of the course
  tar -cf - -C "$repo" --exclude=./.venv --exclude=./.cache --exclude=./wheelhouse --exclude=./learner . \
    | tar -xf - -C "$work/course"
fi
echo "[wheelhouse] building the wheelhouse for this platform"
"$builder" "$work/course/tools/wheelhouse.py" --dest "$work/course/wheelhouse" | tail -n 3

echo "[wheelhouse] offline: install from the wheelhouse, make doctor, nbval $notebook"
env -u PYTHONPATH -u VIRTUAL_ENV HOME="$work/home" PYTHON="$base" COURSE_DEVICE=CPU \
  unshare -rn sh -ec '
    ip link set lo up
    test "$(ip -o link show | wc -l)" -eq 1  # loopback only: no network
    cd "$1/course"
    sh wheelhouse/install.sh
    .venv/bin/python tools/doctor.py --seconds 0.3
    .venv/bin/python -m pytest -p no:cacheprovider "$2" --nbval-lax \
      --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300 -q
  ' sh "$work" "$notebook"
echo "[wheelhouse] offline install and $notebook passed"
