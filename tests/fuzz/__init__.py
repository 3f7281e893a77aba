"""wikigate's own fuzzer for api.php and index.php (issue 16).

The parameters to fuzz are read from the server itself (``action=paraminfo`` for every
module), values are drawn from valid ones, boundaries, wrong types and hostile text, and
every response is checked: no 5xx, no ``internal_api_error_*``, output well-formed in the
requested format (a real XML parser, JSON, a strict PHP ``unserialize``), no request
slower than a second, no traceback in the server log.

* ``tests/api/test_fuzz.py`` runs a quick, fixed-seed run in-process (part of ``pytest``);
* ``tests/multi/test_fuzz_live.py`` runs a smaller one against a real ``wikigate serve``;
* ``python -m tests.fuzz --requests 500000`` is the long run (random seed, printed);
  see ``docs/security.md``, "Hostile input / fuzzing".

:mod:`tests.fuzz.engine` holds the generator, the checks and the runner.
"""
