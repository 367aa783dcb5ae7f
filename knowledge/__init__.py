"""Knowledge base of the telework assistant: official texts, chunks, index and cited answers."""
