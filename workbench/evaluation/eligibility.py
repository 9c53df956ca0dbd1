"""(Filled by the evaluation issue.)"""
