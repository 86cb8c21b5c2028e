"""One module per portfolio figure, each with a `build()` that computes it in SQL."""
