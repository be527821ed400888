"""C rules: comfylint itself (suppressions, rule failures)."""
