"""Figures for the house plan (docs/architecture.md): imports that run back up between packages, modules per
package, the largest module, hand-written commits in view modules, and reads of an item's authored fields by
string key outside the catalogue (counted by the check in tests/unit/test_architecture.py).

Usage: .venv/bin/python scripts/arch_figures.py [REPO_ROOT]   (a checkout of any commit; default: this one).
The floors are read from this repository's pyproject.toml (the import-linter contract "floors"), so an older
checkout is measured against today's plan.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from tests.unit.test_architecture import authored_item_reads  # noqa: E402  (today's check, on any checkout)


def floors() -> list[set[str]]:
    """The layers of the contract, top first; each a set of package (or module) names."""
    config = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "floors")
    return [{name.strip() for name in re.split(r"[|:]", layer)} for layer in contract["layers"]]


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, as the contract counts them)."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
                stack.extend(child.orelse)
                continue
            stack.append(child)
    return found


def imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names if node.module == "lti_tool")
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name.startswith("lti_tool.")]


def main(root: Path) -> None:
    source = root / "lti_tool"
    floor = {name: index for index, layer in enumerate(floors()) for name in layer}
    upward: set[tuple[str, str]] = set()
    modules: Counter[str] = Counter()
    sizes: list[tuple[int, str]] = []
    commits: Counter[str] = Counter()
    settings_reads = 0
    for path in sorted(source.rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        package = package_of(module) if path.parent != source else "(top-level modules)"
        modules[package] += 1
        text = path.read_text(encoding="utf-8")
        sizes.append((text.count("\n"), str(path.relative_to(root))))
        if path.name.endswith("views.py") or "Blueprint(" in text:  # a module with pages or API endpoints
            commits[str(path.relative_to(root))] += text.count("db.session.commit()")
        settings_reads += text.count('extensions["mastery.settings"]') + text.count("def _settings(")
        importer = package_of(module)
        for imported in imports(path):
            target = package_of(imported)
            if importer in floor and target in floor and floor[target] < floor[importer]:
                upward.add((module, imported))
    print(f"imports running back up between packages: {len(upward)}")
    for importer, imported in sorted(upward):
        print(f"  {importer} -> {imported}")
    print("modules per package: " + ", ".join(f"{name} {count}" for name, count in sorted(modules.items())))
    lines, largest = max(sizes)
    print(f"largest module: {largest} ({lines} lines)")
    print(f"settings read by string key (extensions[\"mastery.settings\"] and _settings() helpers): {settings_reads}")
    written = {name: count for name, count in commits.items() if count}
    print(f"db.session.commit() in view modules: {sum(written.values())} in {len(written)} modules")
    for name, count in sorted(written.items()):
        print(f"  {name}: {count}")
    reads = authored_item_reads(root)
    print(f"item fields read by string key outside the catalogue: {len(reads)} in "
          f"{len({read.split(':')[0] for read in reads})} modules")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE)
