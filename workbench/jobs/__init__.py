"""Background jobs: long work (documents, publication) run outside the request, with a record the user can follow."""
