"""Front ends (api.php modules, HTML pages, the CLI) hold no SQL: they translate
parameters into calls of the domain services and stores, which own their transactions
(issue 10). Checked on the syntax tree of every module under ``wikigate/api``,
``wikigate/web`` and ``wikigate/cli``:

* no import of SQLAlchemy or of the table definitions (``wikigate.storage.sql.schema``);
* no statement execution (``conn.execute``, ``exec_driver_sql``, ``scalar_one`` …);
* no transaction of their own: no ``db.run(...)`` / ``store.run(lambda conn: ...)``, no
  call of a store's connection-taking ``*_in`` methods, no ``Connection`` parameter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wikigate

PACKAGE = Path(wikigate.__file__).parent
FRONT_ENDS = ("api", "web", "cli")

_FORBIDDEN_MODULES = ("sqlalchemy", "wikigate.storage.sql.schema")
_ALWAYS_SQL = {"exec_driver_sql", "scalar_one", "scalar_one_or_none", "scalars", "executemany"}
#: ``module.execute(values)`` is how api.php runs a module, not SQL.
_EXECUTE_RECEIVERS_OK = {"module"}
#: ``asyncio.run(coro)`` runs a coroutine, not a transaction.
_RUN_RECEIVERS_OK = {"asyncio"}
#: Functions whose name ends like a store's ``*_in`` method but are not one.
_NOT_STORE_IN = {"log_in"}


def _receiver_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _forbidden_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in _FORBIDDEN_MODULES)


def _import_uses(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [f"imports {a.name}" for a in node.names if _forbidden_module(a.name)]
    module = node.module or ""
    if _forbidden_module(module):
        return [f"imports from {module}"]
    if module == "wikigate.storage.sql" and any(a.name == "schema" for a in node.names):
        return ["imports wikigate.storage.sql.schema"]
    return []


def _call_uses(node: ast.Call) -> list[str]:
    if not isinstance(node.func, ast.Attribute):
        return []
    attr = node.func.attr
    receiver = _receiver_name(node.func.value)
    if attr in _ALWAYS_SQL:
        return [f"executes SQL (.{attr})"]
    if attr == "execute" and receiver not in _EXECUTE_RECEIVERS_OK:
        return [f"executes SQL ({receiver}.execute)"]
    if attr == "run" and node.args and receiver not in _RUN_RECEIVERS_OK:
        # Database.run / a store's run(fn): fn gets a connection.
        return [f"opens its own transaction ({receiver}.run)"]
    if attr.endswith("_in") and attr not in _NOT_STORE_IN:
        return [f"calls a connection-taking store method (.{attr})"]
    return []


def violations(source: str, filename: str = "<src>") -> list[str]:
    """Every SQL use in ``source``, as ``file:line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        uses: list[tuple[ast.AST, str]] = []
        if isinstance(node, ast.Import | ast.ImportFrom):
            uses = [(node, what) for what in _import_uses(node)]
        elif isinstance(node, ast.Call):
            uses = [(node, what) for what in _call_uses(node)]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            uses = [(arg, f"takes a database connection ({arg.arg})")
                    for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                    if arg.annotation is not None and "Connection" in ast.unparse(arg.annotation)]
        found += [f"{filename}:{getattr(where, 'lineno', 0)}: {what}" for where, what in uses]
    return found


def _front_end_files() -> list[Path]:
    return sorted(p for d in FRONT_ENDS for p in (PACKAGE / d).rglob("*.py"))


def test_front_ends_hold_no_sql() -> None:
    files = _front_end_files()
    assert len(files) > 40  # the tree is where we think it is
    problems = [v for f in files for v in violations(f.read_text(encoding="utf-8"), str(f.relative_to(PACKAGE)))]
    assert problems == []


@pytest.mark.parametrize("snippet", [
    "import sqlalchemy",
    "from sqlalchemy import select",
    "from sqlalchemy.engine import Connection",
    "def f():\n    from sqlalchemy.exc import DBAPIError",
    "from wikigate.storage.sql.schema import page",
    "from wikigate.storage.sql import schema",
    "rows = conn.execute(stmt)",
    "n = result.scalar_one()",
    "conn.exec_driver_sql('SELECT 1')",
    "await self.services.db.run(fn)",
    "await store.run(lambda conn: store.page_in(conn, 0, 'X'))",
    "await self.pages.run(check)",
    "page = store.page_in(c, 0, 'X')",
    "def q(conn: Connection) -> None:\n    pass",
    "def q(conn: 'Connection') -> None:\n    pass",
])
def test_each_kind_of_sql_use_is_caught(snippet: str) -> None:
    assert violations(snippet), snippet


@pytest.mark.parametrize("snippet", [
    "await module.execute(values)",
    "await log_in(services, state, user)",
    "asyncio.run(main())",
    "server.run(sockets=[sock])",
    "await service.save_edit(title, user, text='x')",
    "from wikigate.storage.sql import migrate",
])
def test_front_end_idioms_are_allowed(snippet: str) -> None:
    assert violations(snippet) == []
