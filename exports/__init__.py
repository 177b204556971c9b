"""Spreadsheet writers and readers: pure Python + openpyxl, no Flask, no database."""
