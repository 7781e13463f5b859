"""Phantom renderer."""
