"""Controlled vocabularies (drugs, genes, anatomic sites, responses, diseases) as versioned data files."""

from caseseries.vocab.diseases import Disease, diseases
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
    "Disease",
    "Drug",
    "Gene",
    "LabelDose",
    "ResponseTerm",
    "Site",
    "Vocabulary",
    "diseases",
    "drug_name",
    "drugs",
    "gene_symbol",
    "genes",
    "responses",
    "site_term",
    "sites",
]
