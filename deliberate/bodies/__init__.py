"""Bodies: named lists of members (a convention's delegates, a committee) a vote may go to."""
