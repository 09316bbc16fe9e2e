"""Chaos tooling shared by the test suite and benchmarks/: a fault-injecting proxy (``proxy``) and the
accounting that compares what a client got with what the service really created (``ledger``)."""
