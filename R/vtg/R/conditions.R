# One condition class for everything that goes wrong talking to a server (and for refusals of
# this package), so callers catch it with tryCatch(..., vtg_error = function(e) ...).

# vtg_error() builds (does not signal) the condition; raise it with stop(). For an answer of
# the server, `status` is its HTTP status and `msg` its explanation (the `msg` of its JSON
# answer); both are NULL otherwise. `message` is the whole text shown to the user.
vtg_error <- function(message, status = NULL, msg = NULL, call = NULL) {
  structure(
    class = c("vtg_error", "error", "condition"),
    list(message = as.character(message), call = call, status = status, msg = msg)
  )
}

# stop() with a vtg_error; the call is left out, the message says what went wrong.
vtg_stop <- function(message, status = NULL, msg = NULL) {
  stop(vtg_error(message, status = status, msg = msg))
}
