"""N rules: node objects and their class types."""
