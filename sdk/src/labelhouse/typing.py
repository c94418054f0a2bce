"""The models and enums under the module name of ``segments.typing``, for scripts that switch imports
(``from segments.typing import TaskType`` → ``from labelhouse.typing import TaskType``)."""

from .models import *
from .models import __all__  # noqa: F401
