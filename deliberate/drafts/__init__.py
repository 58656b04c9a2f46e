"""Drafts: versions, paragraphs and lines, amendments, diff and merge."""
