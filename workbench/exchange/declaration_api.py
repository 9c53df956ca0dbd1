"""(being built) operations on the /api/v1 blueprint"""
