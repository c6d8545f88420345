"""Reports for the office: figures from the journal (``figures``), and the files the
``kiosk report`` command writes from them (table, workbook, charts, one PDF page)."""
