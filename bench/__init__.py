"""The benchmark of docs/performance.md (not part of the installed package).

Run it from the repository root: ``python -m bench --help``. ``harness`` starts wikigate
and drives the shared A/B harness; ``load`` holds the open-loop drivers (and
``openloop.c``, the same driver in C)."""
