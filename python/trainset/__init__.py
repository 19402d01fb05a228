"""trainset: training datasets as tested, versioned dbt models.

The library behind the `trainset` command. Load an exported dataset with
`trainset.load(path, split)` (pandas, for scikit-learn) or
`trainset.load_hf(path)` (a Hugging Face DatasetDict); the rows a model
trained on it scores with `trainset.load_scoring(path)`.
"""

__version__ = "0.1.0"

from trainset.load import load, load_hf, load_scoring

__all__ = ["__version__", "load", "load_hf", "load_scoring"]
