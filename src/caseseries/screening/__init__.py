"""Screening: review protocols, decisions, PRISMA 2020 counts and diagram."""
