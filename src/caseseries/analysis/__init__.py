"""Pooled analysis: cohorts, response rates with exact CIs, Kaplan-Meier PFS, sequencing."""
