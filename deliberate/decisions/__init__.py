"""Decision records: what the organization decided, who committed and who disagreed, evaluated."""
