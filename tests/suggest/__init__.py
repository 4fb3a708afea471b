"""The category suggestion: model, training, hints, the record of suggestions and the CLI."""
