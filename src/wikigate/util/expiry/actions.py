"""The rule actions: what each scanned token does to the parsed-time record."""

from __future__ import annotations

from wikigate.util.expiry.civil import _days_from_civil, _weekday
from wikigate.util.expiry.record import (
    _MONTHS,
    _SPECIAL_DOW_IN_MONTH,
    _SPECIAL_LAST_DOW_IN_MONTH,
    _SPECIAL_WEEKDAY,
    _Cur,
    _lower,
    _year,
)


def _act(name: str, c: _Cur) -> None:
    """Apply one scanned token (the C actions of parse_date.re, rule by rule)."""
    t = c.t
    if name in ("yesterday", "tomorrow"):
        t.have_relative = True
        t.unhave_time()
        t.rd = -1 if name == "yesterday" else 1
    elif name == "noon":
        t.unhave_time()
        t.set_have_time()
        t.h = 12
    elif name == "midnight":
        t.unhave_time()
    elif name in ("timestamp", "timestampms"):
        t.have_relative = True
        t.have_date, t.y, t.m, t.d = 0, 0, 0, 0
        t.unhave_time()
        t.set_have_tz()
        negative = c.ch(1) == "-"
        t.rs += c.signed(24)
        if name == "timestampms":
            before = c.p
            us = c.signed(6) * 10 ** (7 - (c.p - before))
            t.rus = -us if negative else us
        t.y, t.m, t.d, t.h, t.i, t.s, t.us, t.z, t.zone_id = 1970, 1, 1, 0, 0, 0, 0, 0, None
    elif name == "firstlastdayof":
        t.have_relative = True
        t.first_last = 2 if c.ch() in "lL" else 1
    elif name == "backfrontof":
        t.unhave_time()
        t.set_have_time()
        back = c.ch() == "b"
        t.h = (c.nr(2) or 0) - (0 if back else 1)
        t.i = 15 if back else 45
        if c.ch() != "\x00":
            c.eat_spaces()
            t.h += c.meridian(t.h)
    elif name == "weekdayof":
        t.have_relative = t.have_special = True
        amount, behavior = c.reltext()
        c.eat_spaces()
        if amount > 0:
            t.special_type = _SPECIAL_DOW_IN_MONTH
            c.set_relative(amount, 1, False)
        else:
            t.special_type = _SPECIAL_LAST_DOW_IN_MONTH
            c.set_relative(amount, behavior, False)
    elif name in ("time12", "mssqltime", "time24", "iso8601nocolon"):
        t.set_have_time()
        t.h = c.nr(2)
        if name in ("mssqltime", "iso8601nocolon"):
            t.i = c.nr(2)
            t.s = c.nr(2) if name == "iso8601nocolon" or c.ch() in ":." else t.s
            if name == "mssqltime" and c.ch() in ":.":
                t.us = c.frac()
        elif c.ch() in ":.":
            t.i = c.nr(2)
            if c.ch() in ":.":
                t.s = c.nr(2)
                if name == "time24" and c.ch() == ".":
                    t.us = c.frac()
        if name in ("time12", "mssqltime"):
            c.eat_spaces()
            t.h = (t.h or 0) + c.meridian(t.h or 0)
        elif c.ch() != "\x00":
            c.zone()
    elif name == "gnunocolon":
        if t.have_time == 0:
            t.h, t.i, t.s = c.nr(2), c.nr(2), 0
        elif t.have_time == 1:
            t.y = c.nr(4)
        else:
            raise t.error()
        t.have_time += 1
    elif name == "american":
        t.set_have_date()
        t.m, t.d = c.nr(2), c.nr(2)
        if c.ch() == "/":
            t.y = _year(*c.nr_ex(4))
    elif name in ("iso8601date4", "iso8601datex"):
        t.set_have_date()
        t.y = c.signed(4 if name == "iso8601date4" else 19)
        t.m, t.d = c.nr(2), c.nr(2)
    elif name in ("iso8601date2", "gnudateshort", "gnudateshorter", "pgydotd"):
        t.set_have_date()
        y, length = c.nr_ex(4)
        if name == "pgydotd":
            t.m, t.d = 1, c.nr(3)
        else:
            t.m = c.nr(2)
            t.d = 1 if name == "gnudateshorter" else c.nr(2)
        t.y = _year(y, length)
    elif name in ("datefull", "datenoyearrev"):
        t.set_have_date()
        t.d = c.nr(2)
        c.skip_day_suffix()
        t.m = c.month()
        if name == "datefull":
            t.y = _year(*c.nr_ex(4))
    elif name in ("pointeddate4", "pointeddate2"):
        t.set_have_date()
        t.d, t.m = c.nr(2), c.nr(2)
        t.y = c.nr(4) if name == "pointeddate4" else _year(*c.nr_ex(2))
    elif name in ("datenoday", "datenodayrev"):
        t.set_have_date()
        if name == "datenoday":
            t.m = c.month()
            t.y = _year(*c.nr_ex(4))
        else:
            y, length = c.nr_ex(4)
            t.m, t.y = c.month(), _year(y, length)
        t.d = 1
    elif name in ("datetextual", "pgtextshort"):
        t.set_have_date()
        t.m, t.d = c.month(), c.nr(2)
        t.y = _year(*c.nr_ex(4))
    elif name == "pgtextreverse":
        t.set_have_date()
        y, length = c.nr_ex(4)
        t.m, t.d, t.y = c.month(), c.nr(2), _year(y, length)
    elif name == "datenocolon":
        t.set_have_date()
        t.y, t.m, t.d = c.nr(4), c.nr(2), c.nr(2)
    elif name == "xmlrpc":
        t.set_have_time()
        t.set_have_date()
        t.y, t.m, t.d, t.h, t.i, t.s = c.nr(4), c.nr(2), c.nr(2), c.nr(2), c.nr(2), c.nr(2)
        if c.ch() == ".":
            t.us = c.frac()
            if c.ch() != "\x00":
                c.zone()
    elif name in ("isoweekday", "isoweek"):
        t.set_have_date()
        t.have_relative = True
        y, w = c.nr(4) or 0, c.nr(2) or 0
        wd = (c.nr(1) or 0) if name == "isoweekday" else 1
        t.y, t.m, t.d = y, 1, 1
        jan1 = _weekday(_days_from_civil(y, 1, 1))
        t.rd = -(jan1 - 7 if jan1 > 4 else jan1) + (w - 1) * 7 + wd
    elif name == "clf":
        t.set_have_time()
        t.set_have_date()
        t.d, t.m, t.y = c.nr(2), c.month(), c.nr(4)
        t.h, t.i, t.s = c.nr(2), c.nr(2), c.nr(2)
        c.eat_spaces()
        c.zone()
    elif name == "year4":
        t.y = c.nr(4)
    elif name == "ago":
        t.ry, t.rm, t.rd, t.rh, t.ri, t.rs = -t.ry, -t.rm, -t.rd, -t.rh, -t.ri, -t.rs
        t.weekday = -t.weekday or -7
        if t.have_special and t.special_type == _SPECIAL_WEEKDAY:
            t.special_amount = -t.special_amount
    elif name == "daytext":
        t.have_relative = t.have_weekday = True
        t.unhave_time()
        unit = c.relunit()
        t.weekday = unit[1] if unit else 0
        if t.weekday_behavior != 2:
            t.weekday_behavior = 1
    elif name in ("relativetext", "relativetextweek"):
        t.have_relative = True
        while c.ch() != "\x00":
            amount, behavior = c.reltext()
            c.eat_spaces()
            c.set_relative(amount, behavior, False)
            if name == "relativetextweek":
                t.weekday_behavior = 2
                if not t.have_weekday:
                    t.have_weekday, t.weekday = True, 1
    elif name == "monthtext":
        t.set_have_date()
        t.m = _MONTHS.get(_lower(c.letters()), 0)
    elif name == "tz":
        t.set_have_tz()
        c.eat_spaces()
        c.zone()
    elif name in ("dateshortwithtime12", "dateshortwithtime"):
        t.set_have_date()
        t.m, t.d = c.month(), c.nr(2)
        t.set_have_time()
        t.h, t.i = c.nr(2), c.nr(2)
        if c.ch() == ":" or (name == "dateshortwithtime12" and c.ch() == "."):
            t.s = c.nr(2)
            if c.ch() == ".":
                t.us = c.frac()
        if name == "dateshortwithtime12":
            t.h = (t.h or 0) + c.meridian(t.h or 0)
        elif c.ch() != "\x00":
            c.zone()
    elif name == "relative":
        t.have_relative = True
        while c.ch() != "\x00":
            amount = c.signed(24)
            c.eat_spaces()
            c.set_relative(amount, 1, True)
    elif name == "any":
        raise t.error()  # "Unexpected character"
