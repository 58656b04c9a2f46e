"""Position papers: a tendency's signed, versioned statement on a draft, amendment or vote."""
