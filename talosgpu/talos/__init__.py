"""Talos machine-config knowledge: documents, strategic merge, secrets."""
