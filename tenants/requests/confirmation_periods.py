"""How long before and after ``confirmed_until`` the parent is reminded and the request lapses.

Product defaults (domain: a reminder 2 weeks before, a grace period of 2 weeks).
"""

REMINDER_DAYS = 14
GRACE_DAYS = 14
