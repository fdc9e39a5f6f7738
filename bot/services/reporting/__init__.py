"""Progress reporting: drafts, figures, evidence, submitting, extensions."""
