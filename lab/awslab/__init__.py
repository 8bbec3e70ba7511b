"""privnet.aws lab: a local AWS twin (control plane on moto, data plane on Linux namespaces)."""

__version__ = "0.1.0"
