"""Question banks: the model, grading against key points, quality checks, imports, submissions."""
