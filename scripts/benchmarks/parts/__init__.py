"""The four benchmark parts; each ``run(options, report)`` appends tables and targets."""
