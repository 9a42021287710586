"""Childcare requests of one loket: the child, the family, the need, the ranked choices."""
