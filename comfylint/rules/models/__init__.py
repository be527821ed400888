"""M rules: models and input files the server must have."""
