"""Publishing: rule revisions as GB/T 1.1 documents (HTML, PDF, Word, JSON), the git publication repository and the public portal."""
