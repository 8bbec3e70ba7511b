"""Shared pytest configuration for the lab's tests (control plane and data plane keep their fixtures apart)."""
