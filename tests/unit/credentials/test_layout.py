"""The credentials package in folders by job (issue 10 item 5), and the data a clean install must ship.

proof/ (canonicalisation, contexts, Data Integrity, VC-JWT, keys) is the ground floor and imports nothing else of
the package; verification/, exports/, issuing/ and status/ build on it; the web modules (views, learner_views,
cli) sit on top and no folder imports them. Inside the folders, only the modules named below reach Flask or the
database: everything else is pure.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import lti_tool.credentials

PACKAGE = Path(lti_tool.credentials.__file__).resolve().parent
ROOT = PACKAGE.parents[1]
FOLDERS = ("proof", "verification", "exports", "issuing", "status")
WEB = {"lti_tool.credentials.views", "lti_tool.credentials.learner_views", "lti_tool.credentials.cli"}
# The modules of the folders that read or write the database or the request; the rest of each folder is pure.
NOT_PURE = {
    "exports/services.py", "exports/sharing.py", "issuing/lrs_issuance.py", "status/store.py",
    "verification/payload.py", "verification/services.py",
}
IMPURE_ROOTS = ("flask", "sqlalchemy", "lti_tool.db", "lti_tool.credentials.models",
                "lti_tool.credentials.runtime", "lti_tool.credentials.services")


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py"))


def test_every_module_is_in_a_folder_by_job_or_is_the_package_top() -> None:
    top = {path.name for path in PACKAGE.glob("*.py")}
    assert top == {"__init__.py", "models.py", "services.py", "runtime.py", "views.py", "learner_views.py", "cli.py"}
    assert all(_modules(folder) for folder in FOLDERS)


def test_proof_imports_nothing_else_of_the_package() -> None:
    for path in _modules("proof"):
        outside = {name for name in _imports(path)
                   if name.startswith("lti_tool.credentials.") and not name.startswith("lti_tool.credentials.proof")}
        assert outside == set(), f"{path.name} imports {outside}"


def test_no_folder_imports_the_web_modules() -> None:
    for folder in FOLDERS:
        for path in _modules(folder):
            assert _imports(path) & WEB == set(), f"{folder}/{path.name}"


def test_the_folders_are_pure_but_for_their_service_modules() -> None:
    for folder in FOLDERS:
        for path in _modules(folder):
            name = f"{folder}/{path.name}"
            impure = {i for i in _imports(path) if i.startswith(IMPURE_ROOTS)}
            if name in NOT_PURE:
                continue
            assert impure == set(), f"{name} imports {impure}: pure modules import neither Flask nor SQLAlchemy"
    for name in NOT_PURE:  # the list names real modules that still need it
        assert {i for i in _imports(PACKAGE / name) if i.startswith(IMPURE_ROOTS)}, name


def test_package_data_ships_every_credentials_data_file() -> None:
    # pip install . (the Dockerfile) copies only what these globs match: a data file outside them is missing at
    # run time (the JSON-LD contexts, the OB schema, the ESCO labels).
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["lti_tool"]
    shipped = {path for pattern in globs for path in (ROOT / "lti_tool").glob(pattern) if path.is_file()}
    data = {path for path in PACKAGE.rglob("*") if path.is_file() and path.suffix not in {".py", ".pyc"}}
    assert data, "no data files found"
    assert data - shipped == set()
    assert (PACKAGE / "proof" / "jsonld_documents" / "manifest.json") in shipped
