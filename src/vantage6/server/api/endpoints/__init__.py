"""The REST API's Cornice services, one module per resource; the modules beside this package
hold what they share (schemas, answers, errors, paging, grants)."""
