"""Rule drafting: the template, rule documents, conformance checks, revisions, stages and consultation."""
