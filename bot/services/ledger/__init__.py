"""The ledger (问题台账): reading the import template, importing, exporting, figures."""
