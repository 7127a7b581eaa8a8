"""The other side of the table: which role fits a candidate, from the candidate rulebook."""
from .fit import Fitter, fit, fit_text, fitter
from .profile import Profile, ProfileError
from .result import Fit, RoleFit

__all__ = ["Fit", "Fitter", "Profile", "ProfileError", "RoleFit", "fit", "fit_text", "fitter"]
