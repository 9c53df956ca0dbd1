"""`workbench catalogue …`: lists and coverage from the command line."""
