"""Demo data generators (not part of the scoring domain): made from an office's profile."""
