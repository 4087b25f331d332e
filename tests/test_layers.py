"""Dependencies point one way: inventory <- probes <- readiness <- dashboard and the CLI; inside
probes, probers <- running -> history. Read from the source with `ast`: every import counts,
those inside functions too. And probes/ shows its three jobs: every module is in one of the
sub-packages, and each sub-package's docstring names each of its modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("inventory", "probes", "readiness", "dashboard", "ictr")
PROBES_JOBS = ("probers", "running", "history")

# (the modules under this prefix, must not import from these)
RULES = [
    ("inventory", ("probes", "readiness", "dashboard", "ictr")),
    ("probes", ("readiness", "dashboard", "ictr")),
    ("readiness", ("dashboard", "ictr")),
    ("probes.probers", ("probes.running", "probes.history")),
    ("probes.history", ("probes.running", "probes.probers")),
]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """Every module (or module.name) the file imports, relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def sources() -> dict[str, set[str]]:
    return {
        module_name(path): imported(path)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


SOURCES = sources()


@pytest.mark.parametrize(("layer", "forbidden"), RULES, ids=[rule[0] for rule in RULES])
def test_imports_point_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    modules = [name for name in SOURCES if under(name, layer)]
    assert modules, f"no modules under {layer}"
    wrong = sorted(
        f"{module} imports {name}"
        for module in modules
        for name in SOURCES[module]
        if any(under(name, banned) for banned in forbidden)
    )
    assert wrong == []


def test_relative_imports_count_as_absolute_ones(tmp_path: Path) -> None:
    # The rules above must see `from ..running import spool` as probes.running.spool.
    source = tmp_path / "probes" / "history" / "store.py"
    source.parent.mkdir(parents=True)
    source.write_text("from ..running import spool\nfrom . import incidents\n")
    assert imported(source, tmp_path) >= {"probes.running.spool", "probes.history.incidents"}


def test_probes_is_its_three_jobs() -> None:
    probes = ROOT / "probes"
    assert sorted(p.name for p in probes.glob("*.py")) == ["__init__.py"]
    packages = sorted(p.parent.name for p in probes.glob("*/__init__.py"))
    assert packages == sorted(PROBES_JOBS)


@pytest.mark.parametrize("job", PROBES_JOBS)
def test_each_sub_package_names_its_modules(job: str) -> None:
    folder = ROOT / "probes" / job
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    named = re.findall(r"^- (\w+\.py):", docstring, flags=re.M)
    on_disk = sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")
    assert sorted(named) == on_disk
    assert len(named) == len(set(named))
