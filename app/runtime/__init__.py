"""Process-level helpers: logging set-up, the application lifecycle."""
