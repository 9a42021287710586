"""Dates and numbers as they are written in Belgium, in each site language.

Django's own formats are those of the United States for English ("Dec. 1, 2026") and of
the Netherlands for Dutch ("1-12-2026"); here every language writes a day as "1 december
2026", short as "01/12/2026", and times on the 24-hour clock. ``FORMAT_MODULE_PATH``.
"""
