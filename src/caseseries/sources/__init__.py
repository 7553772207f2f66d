"""Literature sources: the PubMed E-utilities client and record importers."""
