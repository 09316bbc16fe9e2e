"""(placeholder: filled by its family)."""
ROUTES: list = []
