"""Generators choose one movie shot for every music segment; one module each, one registry."""
from .base import Generator, available_generators, get_generator, register_generator

__all__ = ["Generator", "available_generators", "get_generator", "register_generator"]
