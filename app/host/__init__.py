"""A small host application (aiohttp) wired to the dependency-injection container: live spreads as JSON."""
