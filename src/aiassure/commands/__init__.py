"""One module per command; each exposes a click command that only wires options to library calls."""
