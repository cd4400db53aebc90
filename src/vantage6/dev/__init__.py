"""Development helpers: the demo network (`vdev`) and its sample data."""
