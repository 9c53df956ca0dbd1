"""The SAMR/MEE side of the workbench (指引 一、（一）、（七）–（十一））: the priority product list
and the recommended group-standard list (lists.py), calls for proposals and the proposals that
answer them (proposals.py), and coverage against the 2027 and 2030 targets (coverage.py, pure;
progress.py, its queries)."""
