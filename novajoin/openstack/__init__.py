"""Reads from other OpenStack services with novajoin's own credentials."""
