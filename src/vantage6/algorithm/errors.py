"""The errors of the algorithm tools.

:class:`AlgorithmError` is bad input or set-up, which the wrapper reports in one line (no
traceback) before exiting with 1. The classes below it are the original 4.x tools' hierarchy
(``vantage6.algorithm.tools.exceptions`` exports them), for algorithms to say what went wrong:
an algorithm raising ``PrivacyThresholdViolation("too few rows")`` ends its run with that one
line, and no traceback that might show data.
"""


class AlgorithmError(Exception):
    """A problem the wrapper reports as a clear message (no traceback) before exiting with 1."""


# -- privacy


class PrivacyViolation(AlgorithmError):
    """Going on would expose data."""


class PrivacyThresholdViolation(PrivacyViolation):
    """A privacy threshold is not met (too few rows, a result too small to share)."""


# -- data


class DataError(AlgorithmError):
    """Something is wrong with the data."""


class DataReadError(DataError):
    """The data cannot be read (missing, empty, not in the expected format)."""


class DataTypeError(DataError):
    """The data has the wrong type (a text column where numbers are needed)."""


# -- at run time


class AlgorithmRuntimeError(AlgorithmError):
    """The computation itself failed."""


class AlgorithmExecutionError(AlgorithmRuntimeError):
    """The algorithm function raised."""


class MaxIterationsReached(AlgorithmRuntimeError):
    """An iterative method used up its iterations."""


class ConvergenceError(AlgorithmRuntimeError):
    """An iterative method did not converge."""


# -- talking to the server


class ClientError(AlgorithmError):
    """A call through the algorithm client failed."""


class SubtakCreationError(ClientError):  # sic: the original's name
    """A subtask could not be created."""


SubtaskCreationError = SubtakCreationError


class CollectOrganizationError(ClientError):
    """The organizations could not be read."""


class CollectResultsError(ClientError):
    """The results could not be read."""


# -- input


class InputError(AlgorithmError):
    """The input is not usable (the user's, or a subtask's from its parent)."""


class UserInputError(InputError):
    """The user's input is not usable."""


class DeserializationError(InputError):
    """Input or results cannot be decoded."""


DeserializationException = DeserializationError  # the original's older name


class EnvironmentVariableError(InputError):
    """An environment variable has no usable value."""


class EnvironmentVariableNotFoundError(EnvironmentVariableError):
    """An environment variable is not set."""


# -- start-up


class AlgorithmInitializationError(AlgorithmError):
    """The algorithm could not start."""


class AlgorithmModuleNotFoundError(AlgorithmInitializationError):
    """The algorithm package is not in the image."""


class MethodNotFoundError(AlgorithmInitializationError):
    """The requested function is not in the algorithm package."""


# -- the node's settings


class NodePermissionException(AlgorithmError):
    """The node does not allow what was asked (a column, a kind of computation)."""
