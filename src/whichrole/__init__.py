"""whichrole: which data/ML/AI role a requisition is really for, and why."""
from .classifier import Classifier, classify, classify_many
from .model import ActivityMix, Requisition, RequisitionError
from .rulebook import RulebookError, check_rulebook, load_rulebook
from .verdict import Verdict
from .candidate import Fit, Profile, ProfileError, fit, fit_text

__all__ = ["ActivityMix", "Classifier", "Fit", "Profile", "ProfileError", "Requisition", "RequisitionError",
           "RulebookError", "Verdict", "check_rulebook", "classify", "classify_many", "fit", "fit_text",
           "load_rulebook"]
