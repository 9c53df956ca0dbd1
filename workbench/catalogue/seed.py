"""The lists as published: the 2024 implementation plan's priority products and the recommended group-standard batches."""
