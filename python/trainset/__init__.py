"""trainset: training datasets as tested, versioned dbt models."""
