"""An example aiassure plugin: each module is one plugin point (docs/plugins.md in aiassure)."""
