#!/bin/sh
# Build the wheel from a clean clone of this checkout's HEAD, check that it holds only the
# package, install it into a fresh venv (--system-site-packages, so torch, PySide6 and the other
# dependencies come from this machine), and run the test suite against the installed wheel from
# a folder that holds only a copy of tests/ and pyproject.toml (its pytest settings): the checkout
# is not importable there. Arguments go to pytest (default: the whole suite).
#
#     sh scripts/test_wheel.sh [PYTEST ARGS...]      e.g. sh scripts/test_wheel.sh -m "not slow"
set -eu
PY=${PYTHON:-python3}
SRC=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
MEDIA=${TRAILERSMITH_MEDIA:-$SRC/../shared/media}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/trailersmith-wheel.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "== clean clone of $(git -C "$SRC" rev-parse --short HEAD) into $TMP/src"
git clone --quiet --no-hardlinks "$SRC" "$TMP/src"

echo "== build the wheel"
$PY -m pip wheel --quiet --no-deps "$TMP/src" -w "$TMP/dist"
WHEEL=$(ls "$TMP"/dist/trailersmith-*.whl)
echo "$WHEEL"

echo "== check its contents"
git -C "$TMP/src" ls-files '__init__.py' '*/__init__.py' > "$TMP/packages.txt"
$PY - "$WHEEL" "$TMP/packages.txt" <<'PYEOF'
import sys, zipfile
from pathlib import PurePosixPath

wheel, listing = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
for name in names:
    print("  ", name)
bad = [n for n in names if not (n.startswith("trailersmith/") or
                                (n.split("/")[0].endswith(".dist-info")))]
bad += [n for n in names if n.split("/")[1:2] and n.split("/")[1] in
        ("tests", "benchmarks", "scripts", "docs", "Makefile", "pyproject.toml", ".ci")]
inits = [PurePosixPath(line) for line in open(listing).read().split()]
packages = sorted(str(p.parent) for p in inits
                  if p.parts[0] not in ("tests", "benchmarks", "scripts", "docs"))
missing = [p for p in packages
           if ("trailersmith/" + ("" if p == "." else p + "/") + "__init__.py") not in names]
missing += [] if "trailersmith/py.typed" in names else ["py.typed"]
print(f"{len(names)} files; {len(packages)} package folders")
if bad or missing:
    sys.exit(f"wheel holds what is not the package: {bad}; lacks: {missing}")
print("contents OK: only the package, every package folder, py.typed")
PYEOF

echo "== install into a fresh venv"
$PY -m venv --system-site-packages "$TMP/venv"
"$TMP/venv/bin/python" -m pip install --quiet --no-deps "$WHEEL"

echo "== run the tests against it, from a folder without the checkout"
mkdir "$TMP/run"
cp -R "$TMP/src/tests" "$TMP/run/tests"
cp "$TMP/src/pyproject.toml" "$TMP/run/"
cd "$TMP/run"
unset PYTHONPATH
PATH="$TMP/venv/bin:$PATH"
export PATH TRAILERSMITH_MEDIA="$MEDIA"
python - "$TMP/venv" <<'PYEOF'
import sys, trailersmith
where = trailersmith.__file__
print("trailersmith imported from", where)
if not where.startswith(sys.argv[1]):
    sys.exit("the installed wheel is not what `import trailersmith` finds")
PYEOF
python -m pytest -q -p no:cacheprovider "$@"
