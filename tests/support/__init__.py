"""Helpers for the test suite: the test world of lokets and accounts, hosts, servers."""
