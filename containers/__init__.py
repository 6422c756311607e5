"""Dependency-injection containers (declarations) and the functional factory API."""

from containers.application import ApplicationContainer

__all__ = ["ApplicationContainer"]
