"""The layout's one rule, over every import in server/ (those inside functions and TYPE_CHECKING blocks too):
dependencies point one way,

    app, services, web, demo, __main__  →  live  →  {accounts, catalog, commerce, stores}  →  realtime  →  infra

with models, errors, settings and links open to all. Among the domain packages, stores and commerce may use
catalog and accounts, and catalog may use accounts. `realtime` never imports a feature; `commerce` never
imports `live`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"

LEVELS = {"infra": 1, "realtime": 2, "accounts": 3, "catalog": 3, "commerce": 3, "stores": 3, "live": 4,
          "web": 5, "app": 5, "services": 5, "demo": 5, "__main__": 5}
OPEN = {"models", "errors", "settings", "links"}
SIBLINGS = {"commerce": {"catalog", "accounts"}, "stores": {"catalog", "accounts"}, "catalog": {"accounts"}}
# models/commerce.py validates postal codes with the table of countries commerce delivers to
OPEN_MAY_USE = {("models", "commerce.addresses")}


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every `server.…` module the file imports, `from server import x` as server.x."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("server.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "server":
                found += [(node.lineno, f"server.{alias.name}") for alias in node.names]
            elif node.module.startswith("server."):
                found.append((node.lineno, node.module))
    return found


def top(module: str) -> str:
    return module.split(".")[1]


def allowed(importer: str, imported: str) -> bool:
    a, b = top(importer), top(imported)
    if a == b:
        return True
    if a in OPEN:
        return b in OPEN or b == "infra" or (a, ".".join(imported.split(".")[1:3])) in OPEN_MAY_USE
    if b in OPEN:
        return True
    if LEVELS[a] == 5:
        return True
    if LEVELS[a] == LEVELS[b]:
        return b in SIBLINGS.get(a, set())
    return LEVELS[b] < LEVELS[a]


def test_every_package_of_server_has_a_level() -> None:
    tops = {top(module_name(p)) for p in SERVER.rglob("*.py") if p.parent != SERVER or p.stem != "__init__"}
    assert tops <= set(LEVELS) | OPEN, tops - set(LEVELS) - OPEN


def test_imports_point_one_way() -> None:
    wrong = []
    for path in sorted(SERVER.rglob("*.py")):
        importer = module_name(path)
        if importer == "server":
            continue
        for line, imported in imports(path):
            if not allowed(importer, imported):
                wrong.append(f"{path.relative_to(SERVER.parent)}:{line}: {importer} imports {imported}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("importer", "imported", "ok"), [
    ("server.realtime.hub", "server.live.shows", False),
    ("server.commerce.till", "server.live.interactions.deals.service", False),
    ("server.infra.db", "server.realtime.bus", False),
    ("server.catalog.products", "server.commerce.stock", False),
    ("server.models.core", "server.catalog.products", False),
    ("server.live.shows", "server.commerce.orders", True),
    ("server.commerce.stock", "server.catalog.products", True),
    ("server.web.orders", "server.commerce.orders", True),
    ("server.models.commerce", "server.commerce.addresses", True),
])
def test_the_rule_itself(importer: str, imported: str, ok: bool) -> None:
    assert allowed(importer, imported) is ok
