"""Rendering layer: report contexts, sandboxed Jinja templates, charts, Markdown escaping and PDF output."""
