"""Figures for the office, in the admin: the session report and the agency scorecard (the tables
of the annual handling report, with charts), printable and downloadable as XLSX.

- query.py: the filters (the one ProposalFilterSet) and the figures (replies.stats, never
  recomputed);
- tables.py: the report's tables, laid out once for the page and the workbook;
- reports.py: the pages' sections, tables and charts (replies.charts);
- workbook.py: the XLSX;
- views.py: the pages, staff only, mounted by replies.admin.
"""
