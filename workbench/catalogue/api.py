"""The catalogue's lists, calls and coverage in the JSON API."""
