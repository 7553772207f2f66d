"""Reference-list parsing and verification against PubMed or local records."""
