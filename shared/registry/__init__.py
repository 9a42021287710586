"""The child registry (public schema): each loket request once, with a keyed hash of the child."""
