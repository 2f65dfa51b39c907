"""From an uploaded file to rows of cells, and where the headings are.

CSV: the encoding is read from a byte-order mark (UTF-8, UTF-16), else UTF-8, else
Windows-1252, else detected (charset-normalizer); the delimiter is
sniffed among ``, ; tab |``. XLSX through openpyxl *without* ``data_only`` so that a
formula is seen as a formula (its cached value may be stale or absent: the importer is
told to save values). ODS through tablib (odfpy). Anything else is refused with a reason.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

#: How many rows from the top are searched for the heading row.
HEADER_SEARCH_ROWS = 20


class SheetError(ValueError):
    """The file cannot be read as a spreadsheet at all."""


@dataclass
class Sheet:
    rows: list[list]
    #: (row index, column index), 0-based, of cells holding a formula
    formulas: set[tuple[int, int]] = field(default_factory=set)
    format: str = "csv"


def read_sheet(content: bytes, filename: str = "") -> Sheet:
    if not content or not content.strip():
        raise SheetError("The file is empty.")
    name = filename.lower()
    if content[:4] == b"PK\x03\x04":
        return _read_zip(content, name)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError("This is an old Excel 97–2003 (.xls) file: save it as .xlsx or CSV and upload that.")
    return _read_csv(content)


def _read_zip(content: bytes, name: str) -> Sheet:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    except zipfile.BadZipFile as exc:
        raise SheetError("This file is damaged or is not a spreadsheet (CSV, XLSX or ODS).") from exc
    if "xl/workbook.xml" in names:
        return _read_xlsx(content)
    if "content.xml" in names and "mimetype" in names:
        return _read_ods(content)
    raise SheetError("This is a ZIP file but not a spreadsheet (CSV, XLSX or ODS).")


def _read_xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError(f"This Excel file cannot be read ({exc.__class__.__name__}).") from exc
    sheet = book.worksheets[0]
    rows, formulas = [], set()
    for r, row in enumerate(sheet.iter_rows(values_only=True)):
        cells = list(row)
        for c, value in enumerate(cells):
            if isinstance(value, str) and value.startswith("="):
                formulas.add((r, c))
        rows.append(cells)
    book.close()
    return Sheet(_trim(rows), formulas, "xlsx")


def _read_ods(content: bytes) -> Sheet:
    import tablib

    try:
        book = tablib.Databook().load(content, format="ods")
    except Exception as exc:
        raise SheetError(f"This OpenDocument file cannot be read ({exc.__class__.__name__}).") from exc
    sheets = book.sheets()
    if not sheets:
        raise SheetError("The file has no sheets.")
    data = sheets[0]
    rows = ([list(data.headers)] if data.headers else []) + [list(r) for r in data]
    return Sheet(_trim(rows), set(), "ods")


def decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    head = content[:8192]
    if b"\x00" in head:
        raise SheetError("This file is not a spreadsheet we can read (CSV, XLSX or ODS).")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Not UTF-8: a UK sheet saved by Excel on Windows is Windows-1252 (a superset of
        # Latin-1 for printable text). Detection on a short file picks odd code pages.
        return content.decode("cp1252")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    if best is None:
        raise SheetError("This file is not a spreadsheet we can read (CSV, XLSX or ODS).")
    return str(best)


def _read_csv(content: bytes) -> Sheet:
    text = decode(content)
    if sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t") > 8:
        raise SheetError("This file is not a spreadsheet we can read (CSV, XLSX or ODS).")
    sample = text[:16384]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return Sheet(_trim(rows), set(), "csv")


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing empty rows and empty cells at the right of the widest row."""
    while rows and all(_empty(v) for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if not _empty(v)), default=0) for r in rows), default=0)
    return [list(r[:width]) + [None] * (width - len(r)) for r in rows]


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def find_header_row(sheet: Sheet, score_heading) -> int:
    """0-based index of the heading row: among the first rows, the one whose cells the
    resource recognises best (``score_heading(text) -> bool``), ties to the earliest.
    Title rows, blank rows and merged group headings above it are passed over."""
    best, best_score = None, (-1, -1)
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        texts = [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
        if len(texts) < 2:
            continue
        score = (sum(1 for t in texts if score_heading(t)), len(texts))
        if score > best_score:
            best, best_score = i, score
    if best is None:
        raise SheetError("No row of column headings found in the first rows of the sheet.")
    return best


def headings(sheet: Sheet, header_index: int) -> list[str]:
    """The headings of the row, made unique and never blank (``Column D``, ``Name (2)``)."""
    out, seen = [], {}
    for c, value in enumerate(sheet.rows[header_index]):
        text = re.sub(r"\s+", " ", str(value)).strip() if not _empty(value) else f"Column {get_column_letter(c + 1)}"
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return out


def data_rows(sheet: Sheet, header_index: int):
    """``(spreadsheet row number, cells)`` of the rows under the headings, skipping
    blank rows."""
    for i in range(header_index + 1, len(sheet.rows)):
        cells = sheet.rows[i]
        if not all(_empty(v) for v in cells):
            yield i + 1, i, cells
