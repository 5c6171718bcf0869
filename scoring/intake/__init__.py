"""Reading uploads: a register file (.xlsx/.xls/.csv) checked, read, normalised and validated into
events (reader → validate → importer); the bounded guards that run before any spreadsheet
library opens a file; the blank template and its sheet layout."""
