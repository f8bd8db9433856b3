"""Plotting displays in scikit-learn's style, one module each.

Each display is built by a class method (``from_estimator`` computes what it
shows from a fitted estimator; ``from_predictions``, ``from_codes`` or
``from_scores`` take values already computed) and drawn by ``plot``, which
takes ``ax=`` and stores what it drew in attributes ending in ``_``
(``ax_``, ``figure_``, the artists). matplotlib is imported only inside
``plot``, so importing skae never needs it.
"""

from .latent_space import LatentSpaceDisplay
from .loss_curve import LossCurveDisplay
from .reconstruction import ReconstructionDisplay
from .score_distribution import ScoreDistributionDisplay

__all__ = ["LatentSpaceDisplay", "LossCurveDisplay", "ReconstructionDisplay",
           "ScoreDistributionDisplay"]
