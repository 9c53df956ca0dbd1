"""Project proposals in the JSON API."""
