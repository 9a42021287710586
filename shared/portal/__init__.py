"""The parents' portal (public schema): the request wizard, its drafts and "Mijn aanvragen"."""
