"""The shared text layer: spans with offsets into a document, its lines, and one table reader."""
