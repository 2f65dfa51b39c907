"""django-import-export widgets for what people type into legacy spreadsheets.

Every ``clean`` either returns a value it is sure of or raises ``ValueError`` with a
reason the importer can act on; the pipeline reports it against the row and column.
Blank cells clean to ``None`` (or ``""`` for text) so that a blank never overwrites
what a profile already holds."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import widgets

MONTHS = {
    m: i
    for i, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for m in names
}
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([a-z]+)\.?[\s\-/.,]+(\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
#: Excel's day 0 (it counts 1900 as a leap year, so serials from 61 on use 1899-12-30).
EXCEL_EPOCH = date(1899, 12, 30)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: the most recent year that is not in the future. For a date of
        # birth or an incident date a future year is impossible, so this is not a guess.
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def parse_uk_date(value, *, today: date | None = None) -> date | None:
    """``12/03/1990``, ``12-03-90``, ``12.03.1990``, ``12-Mar-90``, ``12 March 1990``,
    ``1990-03-12``, an Excel serial (``32944``) or a spreadsheet date cell. Day first,
    always (a UK sheet); ``03/25/1990`` is an error, not 25 March."""
    today = today or date.today()
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value)
    text = str(value).strip()
    if _SERIAL.match(text):
        return _from_serial(float(text))
    lowered = re.sub(r"\s+", " ", text.lower())
    try:
        if m := _NUMERIC.match(lowered):
            return date(_year(m[3], today), int(m[2]), int(m[1]))
        if m := _ISO.match(lowered):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _WORDS.match(lowered):
            month = MONTHS.get(m[2])
            if month is None:
                raise ValueError(f"{text!r}: {m[2]!r} is not a month.")
            return date(_year(m[3], today), month, int(m[1]))
    except ValueError as exc:
        if "is not a month" in str(exc):
            raise
        raise ValueError(f"{text!r} is not a real date (day/month/year).") from exc
    if re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{text!r} is only a year; give the whole date (or leave it blank).")
    raise ValueError(f"{text!r} is not a date we can read; use day/month/year, e.g. 12/03/1990.")


def _from_serial(number: float) -> date:
    if not 367 <= number < 2958466:  # 1901-01-01 .. 9999-12-31
        raise ValueError(f"{number:g} is not a date (as an Excel serial number it is out of range).")
    return EXCEL_EPOCH + timedelta(days=int(number))


class UKDateWidget(widgets.Widget):
    """A date, day first. ``past=True`` refuses dates after today (dates of birth)."""

    def __init__(self, past: bool = False, **kwargs):
        self.past = past
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        parsed = parse_uk_date(value)
        if parsed and self.past and parsed > date.today():
            raise ValueError(f"{parsed:%d/%m/%Y} is in the future.")
        if parsed and parsed.year < 1900:
            raise ValueError(f"{parsed:%d/%m/%Y} is before 1900.")
        return parsed


def tidy_text(value) -> str:
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return re.sub(r"\s+", " ", str(value)).strip()


class TextWidget(widgets.CharWidget):
    """Text with stray spaces removed; too long is an error, never a silent cut."""

    def __init__(self, max_length: int | None = None, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = tidy_text(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"is {len(text)} characters long; at most {self.max_length} fit.")
        return text


PARTICLES = {"de", "da", "di", "du", "del", "der", "den", "van", "von", "la", "le", "bin", "al"}


def tidy_name(value) -> str:
    """Stray spaces out; capitals fixed where the typist's caps lock decided them: a name
    typed all in capitals or all in lower case gets a capital at the start of each part
    (``o'NEIL-SMITH`` → ``O'Neil-Smith``); in a mixed-case name only the parts that are
    all capitals or all lower case (other than particles such as ``de``, ``van``) are
    changed, so ``McDonald`` and ``de Souza`` stay as typed."""
    text = tidy_text(value)
    if not text:
        return text
    uniform = text.isupper() or text.islower()

    def fix(m):
        part = m[0]
        if uniform:
            return part.capitalize()
        if (part.isupper() and len(part) > 1) or (part.islower() and part not in PARTICLES):
            return part.capitalize()
        return part

    return re.sub(r"[^\W\d_]+", fix, text)


class NameWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        name = tidy_name(value)
        if self.max_length and len(name) > self.max_length:
            raise ValueError(f"is {len(name)} characters long; at most {self.max_length} fit.")
        if name and not re.search(r"[^\W\d_]", name):
            raise ValueError(f"{name!r} is not a name.")
        return name


_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2})$")


class PostcodeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return ""
        compact = re.sub(r"\s+", "", str(value)).upper()
        if not _POSTCODE.match(compact):
            raise ValueError(f"{str(value).strip()!r} is not a UK postcode.")
        return f"{compact[:-3]} {compact[-3:]}"


YES = {"y", "yes", "true", "t", "1", "x", "✓", "✔", "ticked"}
NO = {"n", "no", "false", "f", "0", "none", "-"}


class YesNoWidget(widgets.BooleanWidget):
    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower().rstrip(".")
        if isinstance(value, int | float):
            text = str(int(value)) if float(value).is_integer() else text
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(f"{str(value).strip()!r} is not yes or no.")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


class ChoiceWidget(widgets.Widget):
    """One of ``choices`` (``[(value, label)]``): the value or the label in any case and
    spacing, or one of ``synonyms`` (``{"m": "male"}``)."""

    def __init__(self, choices, synonyms: dict | None = None, **kwargs):
        self.choices = [(v, str(label)) for v, label in choices if v != ""]
        self.lookup = {}
        for v, label in self.choices:
            self.lookup[_key(v)] = v
            self.lookup[_key(label)] = v
        for word, v in (synonyms or {}).items():
            self.lookup[_key(word)] = v
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return ""
        found = self.lookup.get(_key(str(value)))
        if found is None:
            allowed = ", ".join(label for _, label in self.choices)
            raise ValueError(f"{str(value).strip()!r} is not one of: {allowed}.")
        return found


class CodeListWidget(ChoiceWidget):
    """Several codes in one cell, separated by ``;``, ``,``, ``/`` or ``|``."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return []
        out = []
        for part in re.split(r"[;,/|\n]+", str(value)):
            if part.strip():
                code = super().clean(part)
                if code not in out:
                    out.append(code)
        return out


class ListWidget(widgets.Widget):
    """Several names in one cell (aliases), separated by ``;`` or ``|`` or new lines."""

    def __init__(self, max_length: int | None = None, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return []
        items = [tidy_text(p) for p in re.split(r"[;|\n]+", str(value)) if p.strip()]
        too_long = [i for i in items if self.max_length and len(i) > self.max_length]
        if too_long:
            raise ValueError(f"{too_long[0][:40]!r}… is longer than {self.max_length} characters.")
        return list(dict.fromkeys(items))


class EmailWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value).replace(" ", "")
        if text:
            try:
                validate_email(text)
            except ValidationError as exc:
                raise ValueError(f"{text!r} is not an e-mail address.") from exc
        return text


_TIME = re.compile(r"^(.*?)[\sT,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*(am|pm)?$")


class UKDateTimeWidget(widgets.Widget):
    """A date with an optional time: ``12/03/2024 22:00``, ``12-Mar-24 10.30pm``, a
    spreadsheet date-time cell, or a date alone (the time is then unknown: a ``date``
    is returned, not a guessed midnight). Never in the future."""

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        if isinstance(value, datetime):
            parsed = value if value.time() != datetime.min.time() else value.date()
        elif isinstance(value, date):
            parsed = value
        elif isinstance(value, float) and not value.is_integer():  # an Excel serial with a time
            day = _from_serial(value)
            parsed = datetime.combine(day, datetime.min.time()) + timedelta(seconds=round((value % 1) * 86400))
        else:
            text = re.sub(r"\s+", " ", str(value).strip().lower())
            m = _TIME.match(text)
            if m:
                day = parse_uk_date(m[1])
                hour, minute = int(m[2]), int(m[3])
                if m[5]:
                    if not 1 <= hour <= 12:
                        raise ValueError(f"{str(value).strip()!r}: {hour} is not an hour on a 12-hour clock.")
                    hour = hour % 12 + (12 if m[5] == "pm" else 0)
                if hour > 23 or minute > 59:
                    raise ValueError(f"{str(value).strip()!r} is not a real time.")
                parsed = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
            else:
                parsed = parse_uk_date(value)
        if isinstance(parsed, datetime):
            from django.utils import timezone

            parsed = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
            if parsed > timezone.now():
                raise ValueError(f"{timezone.localtime(parsed):%d/%m/%Y %H:%M} is in the future.")
        elif parsed > date.today():
            raise ValueError(f"{parsed:%d/%m/%Y} is in the future.")
        return parsed
