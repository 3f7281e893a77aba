"""Plural rules and number formatting for the languages wikigate ships.

MediaWiki picks plural forms with the CLDR rules of the message language
(``languages/data/plurals.xml``) and formats numbers with ``Language::formatNum``.
Only the behaviour that shows up in API texts is reproduced: the cardinal rules of
``en``/``de`` (one: ``i = 1 and v = 0``) and ``tr`` (one: ``n = 1``), explicit
``N=form`` plural forms, and digit grouping with the per-language separators.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "convert_plural",
    "format_num",
    "parse_formatted_number",
    "php_number_str",
    "plural_index",
    "separators",
]

# (grouping separator, decimal separator); MessagesDe.php / MessagesTr.php swap "," and ".".
_SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "de": (".", ","),
    "tr": (".", ","),
}

# Languages whose CLDR "one" rule is "n = 1" (a float 1.0 counts too) rather than
# "i = 1 and v = 0"; tr is the one we ship.
_ONE_IS_N_EQUALS_1 = frozenset({"tr"})


def _base(lang: str) -> str:
    """Reduce ``de-at`` / ``de-formal`` to ``de``: variants share rules with their base."""
    return lang.split("-", 1)[0].lower()


def separators(lang: str) -> tuple[str, str]:
    """Return (grouping, decimal) separators; unknown languages use English ones."""
    return _SEPARATORS.get(_base(lang), _SEPARATORS["en"])


def php_number_str(value: int | float) -> str:
    """Stringify a number as PHP's ``(string)`` cast does (``1.0`` → ``"1"``).

    Plain numeric message parameters are substituted unformatted, so the text must
    match what PHP would have produced.
    """
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        text = f"{mantissa.rstrip('0').rstrip('.') if '.' in mantissa else mantissa}E{sign}{exp.lstrip('+-')}"
        # PHP prints 1.0E+25 (keeps ".0" when the mantissa is integral)
        if "." not in text.split("E")[0]:
            text = text.replace("E", ".0E", 1)
    return text


def format_num(value: int | float | str, lang: str) -> str:
    """``Language::formatNum``: group thousands and localise separators.

    Non-numeric strings are passed through, as MediaWiki formats only the numeric
    runs inside them (rarely relevant for API texts).
    """
    text = php_number_str(value) if isinstance(value, int | float) else value
    if text in ("INF",):
        return "∞"
    if text == "-INF":
        return "\u2212∞"
    match = re.fullmatch(r"(-?)(\d+)(\.\d*)?", text)
    if not match:
        return text
    sign, integer, fraction = match.group(1), match.group(2), match.group(3) or ""
    group, decimal = separators(lang)
    grouped = f"{int(integer):,}".replace(",", group)
    if fraction:
        fraction = decimal + fraction[1:]
    return f"{sign}{grouped}{fraction}"


def parse_formatted_number(text: str, lang: str) -> int | float:
    """``Language::parseFormattedNumber`` as used by ``{{PLURAL:}}``.

    Grouping separators are dropped and the decimal separator becomes ``.``; strings
    that are not numbers count as 0, like PHP's numeric cast.
    """
    group, decimal = separators(lang)
    cleaned = text.strip().replace("\u2212", "-").replace(group, "")
    if decimal != ".":
        cleaned = cleaned.replace(decimal, ".")
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned)
    match = re.match(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", cleaned)
    if not match:
        return 0
    number = float(match.group(0))
    return number


def plural_index(count: int | float, lang: str) -> int:
    """CLDR cardinal category index: 0 = one, 1 = other (all shipped languages)."""
    n = abs(count)
    if _base(lang) in _ONE_IS_N_EQUALS_1:
        return 0 if n == 1 else 1
    # "i = 1 and v = 0": integer 1 without visible fraction digits.
    if isinstance(n, int) or (isinstance(n, float) and n.is_integer()):
        return 0 if int(n) == 1 else 1
    return 1


def convert_plural(count: int | float, forms: list[str], lang: str) -> str:
    """``Language::convertPlural`` including explicit ``N=`` forms.

    An explicit form wins when its number equals the count as PHP would print it;
    other explicit forms are dropped before the CLDR index is applied, and a short
    form list is padded with its last entry.
    """
    remaining: list[str] = []
    key = php_number_str(count)
    for form in forms:
        if re.search(r"\d+=", form):
            pos = form.index("=")
            if form[:pos] == key:
                return form[pos + 1 :]
            continue
        remaining.append(form)
    if not remaining:
        return ""
    index = min(plural_index(count, lang), len(remaining) - 1)
    return remaining[index]
