"""The house plan (docs/architecture.md §2): packages sit on floors and import only from the floors below.

import-linter checks the contract in pyproject.toml; these tests also make sure no package escapes the plan
(every package and top-level module is on a floor) and that the contract catches an import running back up.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lti_tool"


def _contract() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return next(contract for contract in contracts if contract["id"] == "floors")


def _floor_names() -> set[str]:
    layers = _contract()["layers"]
    assert isinstance(layers, list)
    return {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}


def _lint(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    lint_imports = Path(sys.executable).with_name("lint-imports")  # import-linter's console script
    return subprocess.run([str(lint_imports), "--config", str(config)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_packages_import_only_from_the_floors_below() -> None:
    result = _lint(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_has_no_exceptions() -> None:
    # Every import running back up was cut (issue 10); what a lower package needs from a higher one is handed
    # to it by create_app (a domain event, a landing page, a purge counter), never let through the contract.
    assert "ignore_imports" not in _contract()


def test_every_package_and_module_is_on_a_floor() -> None:
    names = {path.stem for path in PACKAGE.glob("*.py") if path.name != "__init__.py"}
    names |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert names - _floor_names() == set(), "put the new package on a floor in pyproject.toml and the docs"
    assert _floor_names() - names == set(), "a floor names a package that does not exist"


def test_the_contract_refuses_an_import_running_back_up(tmp_path: Path) -> None:
    # The same kind of contract over a two-floor package: the lower floor importing the higher one is refused.
    package = tmp_path / "house"
    for name, body in {"__init__.py": "", "low.py": "import house.high\n", "high.py": ""}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(body, encoding="utf-8")
    config = tmp_path / "contract.toml"
    config.write_text(textwrap.dedent("""
        [tool.importlinter]
        root_package = "house"
        [[tool.importlinter.contracts]]
        name = "floors"
        type = "layers"
        containers = ["house"]
        layers = ["high", "low"]
    """), encoding="utf-8")
    result = _lint(config, tmp_path)
    assert result.returncode != 0
    assert "house.low -> house.high" in result.stdout


def test_settings_are_read_through_the_typed_runtime() -> None:
    # create_app stores one frozen Runtime (lti_tool/runtime.py); code reads current_settings(), so a string key
    # of app.extensions cannot drift from what the factory built.
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "tests" / "browser").glob("*.py"),
             *(ROOT / "tests" / "unit").rglob("*.py"), *(ROOT / "tests" / "integration").rglob("*.py"),
             *(ROOT / "bench").rglob("*.py")]
    readers = [str(path.relative_to(ROOT)) for path in sorted(files)
               if path != Path(__file__) and 'extensions["mastery.settings"]' in path.read_text(encoding="utf-8")]
    assert readers == [], "read the settings with lti_tool.runtime.current_settings()"
    # The parts the packages build when wired (platform keys, limiter, LRS probe, key ring, events, caches, the
    # launch's landing pages and purge counters, the LMS client, the roster failures) are Runtime.parts.
    keys = ('"mastery.platform_keys"', '"mastery.limiter"', '"mastery.lrs_probe"', '"mastery.credential_keys"',
            '"mastery.events"', '"mastery.fragments"', '"mastery.frame_origins"', '"mastery.registry"',
            '"mastery.launch_scoped"', '"mastery.landings"', '"mastery.purge_counts"', '"mastery.lti_services"',
            '"mastery.dashboard.roster_failures"')
    keyed = [str(path.relative_to(ROOT)) for path in sorted(files)
             if path != Path(__file__) and any(key in path.read_text(encoding="utf-8") for key in keys)]
    assert keyed == [], "set and read them on lti_tool.runtime.Runtime.parts"


# Entries of app.extensions that Flask extensions make and read themselves (flask-babel, Flask-SQLAlchemy,
# Flask-Migrate); the tool's own is the one typed Runtime that lti_tool/runtime.py stores under its _KEY.
FLASK_OWN = frozenset({"babel", "sqlalchemy", "migrate"})
_LOOKUPS = frozenset({"get", "setdefault", "pop", "__getitem__", "__setitem__", "__contains__"})


def _extension_keys(source: str, *, runtime_module: bool = False) -> list[tuple[int, str]]:
    """Each access to ``<anything>.extensions`` by a key in ``source`` that is not a Flask extension's own entry:
    ``x.extensions[key]``, ``x.extensions.get/setdefault/pop(key, ...)``, ``key in x.extensions``."""

    def is_extensions(node: ast.expr) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "extensions"

    def allowed(key: ast.expr) -> bool:
        if isinstance(key, ast.Constant) and key.value in FLASK_OWN:
            return True
        return runtime_module and isinstance(key, ast.Name) and key.id == "_KEY"

    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript) and is_extensions(node.value):
            key = node.slice
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _LOOKUPS
              and is_extensions(node.func.value) and node.args):
            key = node.args[0]
        elif (isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn))
              and is_extensions(node.comparators[0])):
            key = node.left
        if key is not None and not allowed(key):
            found.append((node.lineno, ast.unparse(key)))
    return found


def test_the_tool_keeps_nothing_under_a_string_key_of_app_extensions() -> None:
    # Every part of the tool that lives as long as the app is a typed slot of Runtime.parts (lti_tool/runtime.py);
    # the only app.extensions entries are the runtime itself and those Flask extensions keep for themselves.
    keyed = [f"{path.relative_to(ROOT)}:{line}: extensions[{key}]"
             for path in sorted(PACKAGE.rglob("*.py"))
             for line, key in _extension_keys(path.read_text(encoding="utf-8"),
                                              runtime_module=path == PACKAGE / "runtime.py")]
    assert keyed == [], "give it a typed slot of lti_tool.runtime.Parts instead"


def test_the_extensions_check_sees_every_form_of_lookup() -> None:
    source = textwrap.dedent("""
        app.extensions["mastery.thing"] = 1
        current_app.extensions[KEY]
        (app or current_app).extensions.setdefault("mastery.cache", {})
        app.extensions.get(_KEY, None)
        if "mastery.scoped" not in app.extensions: pass
        app.extensions["babel"]
        current_app.extensions.get("sqlalchemy")
        statement_extensions["mastery.thing"]
    """)
    assert [line for line, _ in _extension_keys(source)] == [2, 3, 4, 5, 6]
    assert _extension_keys('app.extensions[_KEY] = runtime', runtime_module=True) == []


# The authored fields of an item (lti_tool/catalogue/unit_schema.json, $defs item, criterion, level and the numeric
# answer) that only the authored item carries: the public item JSON sent to the browser has none of them except
# `prompt`, `options`, `targets` and `rubric`, whose reads below are of the authored item unless listed in
# PUBLIC_ITEM_READS. `type` is counted where it is made an ItemType or compared with an item type's name.
AUTHORED_ITEM_KEYS = frozenset({"answer", "tolerance", "feedback", "levels", "prompt", "options", "targets", "rubric"})
ITEM_TYPE_NAMES = frozenset({"single_choice", "multiple_response", "true_false", "numeric", "ordering", "matching",
                             "short_text", "practical"})
# Reads of the public item JSON (assessment.items_public's output, what the browser gets), not of an authored item.
PUBLIC_ITEM_READS = frozenset({("lti_tool/assessment/views.py", "item['prompt']")})
_KEY_READS = frozenset({"get", "pop", "__getitem__", "__contains__"})


def _authored_item_reads(source: str) -> list[tuple[int, str]]:
    """Each place in ``source`` that reads an item's authored definition by string key: ``x["answer"]``,
    ``x.get("rubric")``, ``"options" in x``, ``ItemType(x["type"])``, a comparison with an item type's name
    (``kind == "numeric"``, ``kind in ("ordering", ...)``, ``case "practical":``) and ``item.definition``."""

    def key_of(node: ast.AST) -> str | None:
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _KEY_READS
              and node.args):
            key = node.args[0]
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            key = node.left
        else:
            return None
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None

    def names_an_item_type(node: ast.expr) -> bool:
        values = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
        return any(isinstance(v, ast.Constant) and v.value in ITEM_TYPE_NAMES for v in values)

    def is_item_type_of_a_key(node: ast.AST) -> bool:  # ItemType(x["type"])
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ItemType"
                and bool(node.args) and key_of(node.args[0]) == "type")

    def compares_with_an_item_type_name(node: ast.AST) -> bool:  # kind == "numeric", kind in ("ordering", ...)
        return isinstance(node, ast.Compare) and any(map(names_an_item_type, (node.left, *node.comparators)))

    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if key_of(node) in AUTHORED_ITEM_KEYS or is_item_type_of_a_key(node) or compares_with_an_item_type_name(node):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.MatchValue) and names_an_item_type(node.value):  # case "practical":
            found.append((node.value.lineno, ast.unparse(node.value)))
        elif isinstance(node, ast.Attribute) and node.attr == "definition" and isinstance(node.ctx, ast.Load):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def authored_item_reads(root: Path) -> list[str]:
    """Every read of an item's authored fields by string key in ``root``/lti_tool outside the catalogue."""
    package = root / "lti_tool"
    reads = []
    for path in sorted(package.rglob("*.py")):
        if (package / "catalogue") in path.parents:
            continue  # the catalogue validates and parses unit documents: reading them by key is its job
        name = path.relative_to(root).as_posix()
        reads += [f"{name}:{line}: {text}" for line, text in _authored_item_reads(path.read_text(encoding="utf-8"))
                  if (name, text) not in PUBLIC_ITEM_READS]
    return reads


def test_nothing_outside_the_catalogue_reads_an_item_by_string_key() -> None:
    # Scoring, response checks, the public item, the review, the teacher's attempt page and the xAPI interactions
    # take the catalogue's typed items (lti_tool/catalogue/unit_doc.py: one frozen class per item type).
    assert authored_item_reads(ROOT) == [], "read the typed item (catalogue.unit_doc) instead"


def test_the_item_check_sees_every_form_of_read() -> None:
    source = textwrap.dedent("""
        kind = ItemType(item_def["type"])
        key = item_def.get("answer")
        if "options" in item_def: pass
        points = [c["points"] for c in definition.get("rubric") or ()]
        if kind == "numeric": pass
        if kind in ("multiple_response", "ordering"): pass
        match kind:
            case "practical": pass
        raw = item.definition
        tolerance = answer["tolerance"]
        body["feedback"] = []
        kind = ItemType.NUMERIC
        value = result["value"] if result.get("status") == "Completed" else None
        if item.type is ItemType.PRACTICAL and "text" in response: pass
    """)
    assert [line for line, _ in _authored_item_reads(source)] == [2, 3, 4, 5, 6, 7, 9, 10, 11]
