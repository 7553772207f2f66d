"""Controlled vocabularies (drugs, genes, anatomic sites, responses) as versioned data files."""

from caseseries.vocab.loader import (
    Drug,
    Gene,
    LabelDose,
    ResponseTerm,
    Site,
    Vocabulary,
    drug_name,
    drugs,
    gene_symbol,
    genes,
    responses,
    site_term,
    sites,
)

__all__ = [
    "Drug",
    "Gene",
    "LabelDose",
    "ResponseTerm",
    "Site",
    "Vocabulary",
    "drug_name",
    "drugs",
    "gene_symbol",
    "genes",
    "responses",
    "site_term",
    "sites",
]
