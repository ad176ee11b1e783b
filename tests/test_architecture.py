"""replies builds on proposals, never the reverse (issue 7): the import-linter contract in
.importlinter, which `make test` runs, and the references Python imports cannot show."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
_CONFIG = (BASE / ".importlinter").read_text()
ROOT_PACKAGES = re.search(r"root_packages =\n((?:[ \t]+\S+\n)+)", _CONFIG).group(1).split()


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(root / ".importlinter")], cwd=root,
                          capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def tree(tmp_path):
    """A copy of the packages the contract names and of the contract, to break on purpose."""
    for name in ROOT_PACKAGES:
        shutil.copytree(BASE / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(BASE / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_contract_is_kept(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, line", [
    ("proposals/selectors.py", "from replies.models import Reply\n"),
    # An import hidden inside a function counts as much as one at the top.
    ("proposals/services/proposals.py", "def _sneaky():\n    from replies import selectors  # noqa\n"),
])
def test_a_reverse_import_breaks_the_contract(tree, module, line):
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + line, encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "replies" in result.stdout


def test_proposals_names_no_replies_model_or_migration():
    """Lazy model references ("replies.Reply") and migration dependencies are not imports:
    the contract cannot see them, so they are looked for here."""
    offending = []
    pattern = re.compile(r"""["']replies\.[A-Za-z]+["']\s*,\s*on_delete|to=["']replies\.|\(\s*["']replies["']\s*,""")
    for path in (BASE / "proposals").rglob("*.py"):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(text):
                offending.append(f"{path.relative_to(BASE)}:{number}: {text.strip()}")
    assert offending == []
