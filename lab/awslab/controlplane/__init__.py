"""The lab's control plane: moto's server in-process, extended where moto differs from AWS."""
