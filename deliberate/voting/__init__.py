"""Votes on common texts and elections: ballots, counting and results."""
