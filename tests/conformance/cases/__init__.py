"""One module per venue: its :class:`~tests.conformance.case.VenueCase` and simulator hooks."""
