"""Generators choose one movie shot for every music segment; one module each, one registry."""
from .base import (
                   GENERATORS,
                   Generator,
                   available_generators,
                   generator_module,
                   generator_names,
                   generator_options,
                   get_generator,
)

__all__ = ["GENERATORS", "Generator", "available_generators", "generator_module",
           "generator_names", "generator_options", "get_generator"]
