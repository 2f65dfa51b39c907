"""Importing legacy spreadsheets (issue 6).

- :mod:`.reading` turns an uploaded file (CSV in any common encoding and delimiter,
  XLSX, ODS) into rows and finds the heading row;
- :mod:`.widgets` are django-import-export widgets that understand what people type in
  spreadsheets (UK dates, Excel serial dates, yes/no variants, postcodes, choice labels)
  and raise a reason for anything they cannot understand — they never guess;
- :mod:`.resources` declares what an import resource is (its fields with heading
  synonyms, how rows are matched and written and undone); :mod:`.profiles` is core's
  profile resource, and plugins add theirs through the ``wraparound_import_resources``
  hook;
- :mod:`.pipeline` runs a job: dry run, commit (all or nothing / valid rows, one
  transaction per batch), undo; :mod:`.tasks` runs it in the background.

Why not ``Resource.import_data`` row by row: it loads and saves one instance per row
(two or more queries per row) and knows nothing of the access engine or our audit
events; ``bench/import_bench.py`` measures the difference. We use django-import-export
for what it is good at — field declarations and widgets (``Field.clean`` →
``Widget.clean``) and tablib for ODS — and batch the matching and writing ourselves.
"""
