"""Threaded debate: comments on drafts, amendments, position papers and votes."""
