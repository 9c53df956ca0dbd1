"""The audit trail as users read it: one record's history and the global log, as pages and API."""
