"""Digests: what each partnership channel reads weekly and at quarter end, built in a fixed number of queries."""
