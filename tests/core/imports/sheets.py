"""Messy sheets, generated: what partners' legacy spreadsheets look like."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook

HEADINGS = ["Surname", "Forename ", "D.O.B.", "Sex", "PNC No", "Post Code", "Address", "AKA", "Roles", "Risk"]

GOOD_ROWS = [
    ["  SMITH ", "john", "12/03/1990", "M", "2004/0123456X", "nr2 1aa", "1 High Street", "Jonno", "offender", "High"],
    ["O'NEIL-jones", "Mary", "12-Mar-85", "f", "", "IP1 2BB", "2 Low Road", "", "victim; vulnerable", "low"],
    ["Patel", "Ravi", "12 March 1979", "Male", "", "", "", "", "", ""],
    ["Brown", "Sam", 32944, "Not known", "", "", "", "", "", "Medium"],
]


def csv_bytes(rows, *, headings=HEADINGS, encoding="utf-8", delimiter=",", bom=False, preamble=()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in preamble:
        writer.writerow(line)
    writer.writerow(headings)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, headings=HEADINGS, title: str | None = "IOM cohort list (kept by hand)",
               formula_at: tuple[int, int] | None = None) -> bytes:
    """A title row merged across the columns, a blank row, then the headings."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
        sheet.append([])
    sheet.append(headings)
    for row in rows:
        sheet.append([datetime.strptime(v, "%Y-%m-%d") if isinstance(v, str) and v[:2] == "19" and v[4:5] == "-"
                      else v for v in row])
    if formula_at:
        sheet.cell(row=formula_at[0], column=formula_at[1], value="=A1&B1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows, *, headings=HEADINGS) -> bytes:
    import tablib

    data = tablib.Dataset(*[[("" if v is None else v) for v in r] for r in rows], headers=headings)
    return data.export("ods")
