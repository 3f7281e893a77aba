"""Every data file shipped inside the package, read through :mod:`importlib.resources`.

Two rules keep the server working however it was installed (wheel, ``pip install -e``,
a zip) and whatever happens to the install while it runs:

* package data is found with ``importlib.resources``, never with ``__file__`` paths
  (``tests/unit/test_package_data.py`` checks the source for that);
* whatever a request may need later is read at start-up (``preload_package_data`` in
  root.py, the composition root, which knows every user of package data), because a
  reinstall (``pip install -e .`` after ``pip install .``) removes the files a running
  server was imported from; a lazy load would then fail on the first request that needs
  it (this is how ``common-passwords.json`` broke a running server).

Migrations are the exception: only ``wikigate migrate`` and the ``serve`` parent read
them, once, before any worker starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable

#: (package, folder) pairs that hold data files (see ``[tool.setuptools.package-data]``).
DATA_ROOTS: tuple[tuple[str, str], ...] = (
    ("wikigate", "data"),
    ("wikigate.i18n", "messages"),
    ("wikigate.mail", "templates"),
    ("wikigate.web", "templates"),
    ("wikigate.web", "static"),
    ("wikigate.storage.sql", "migrations"),
)


def data_files() -> Iterator[tuple[str, Traversable]]:
    """(``package/relative/path``, resource) for every shipped data file."""

    def walk(prefix: str, node: Traversable) -> Iterator[tuple[str, Traversable]]:
        for entry in sorted(node.iterdir(), key=lambda e: e.name):
            if entry.name == "__pycache__":
                continue
            name = f"{prefix}/{entry.name}"
            if entry.is_dir():
                yield from walk(name, entry)
            else:
                yield name, entry

    for package, folder in DATA_ROOTS:
        yield from walk(f"{package.replace('.', '/')}/{folder}", resources.files(package) / folder)
