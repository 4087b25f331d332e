"""Probes: connectivity checks of the connection points (ICMP, TCP), on schedule."""
