"""Gate.io transport and parsing tests."""
