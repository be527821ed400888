"""P rules: secrets and paths that must not travel with a workflow."""
