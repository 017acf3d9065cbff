"""Never touching what is not ours: ownership, saved plans that are claims, export safety, racing applies."""
