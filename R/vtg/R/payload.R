# Task input out and results back: the bytes an algorithm reads and writes, and the text the
# server stores for them (base64 in plain collaborations, encrypted per organization in
# encrypted ones, see crypto.R).

PAYLOAD_RDS_PREFIX <- charToRaw("RDS.")
PAYLOAD_JSON_PREFIX <- charToRaw("json.")

# JSON as both the server and Python algorithms expect it. auto_unbox makes a length-one
# vector a scalar (wrap it in I() to send a one-element array); NULL and NA become null
# rather than jsonlite's {} and "NA". jsonlite writes at most 15 significant digits.
json_text <- function(x) {
  enc2utf8(as.character(
    jsonlite::toJSON(x, auto_unbox = TRUE, null = "null", na = "null", digits = NA)
  ))
}

# The input of a task: {"method", "args": [...], "kwargs": {...}} as JSON, or for R
# algorithms of the original vtg, "RDS." and serialize() of the list it dispatched on.
payload_encode_input <- function(method, args = list(), kwargs = list(), format = "json") {
  if (!is.character(method) || length(method) != 1 || is.na(method) || !nzchar(method)) {
    vtg_stop("method must be the name of the algorithm's function, one string")
  }
  args <- payload_args(args)
  kwargs <- payload_kwargs(kwargs)
  if (format == "rds") {
    input <- list(master = FALSE, method = method, args = args, kwargs = kwargs, output_format = "RDS")
    return(c(PAYLOAD_RDS_PREFIX, serialize(input, NULL)))
  }
  charToRaw(json_text(list(method = method, args = args, kwargs = kwargs)))
}

# Positional arguments: always a JSON array, one element per argument (an atomic vector
# counts one argument per element, as as.list() splits it).
payload_args <- function(args) {
  if (is.null(args)) return(list())
  if (is.atomic(args)) args <- as.list(args)
  if (!is.list(args)) vtg_stop("args must be a list of positional arguments")
  unname(args)
}

# Keyword arguments: always a JSON object, also when there are none.
payload_kwargs <- function(kwargs) {
  if (length(kwargs) == 0) return(structure(list(), names = character(0)))
  if (is.atomic(kwargs)) kwargs <- as.list(kwargs)
  if (!is.list(kwargs) || is.null(names(kwargs)) || any(!nzchar(names(kwargs)))) {
    vtg_stop("kwargs must be a list with a name for each keyword argument")
  }
  kwargs
}

# What the server stores for `data` (raw): base64 when `recipient` is NULL (a plain
# collaboration), else encrypted for the recipient's public key (see crypto_encrypt).
payload_seal <- function(data, recipient = NULL, legacy = FALSE) {
  if (is.null(recipient)) crypto_b64encode(data) else crypto_encrypt(data, recipient, legacy)
}

# The bytes of what the server stores: base64 when `private` is NULL (a plain collaboration),
# else decrypted with this organization's key.
payload_open <- function(text, private = NULL, allow_legacy = FALSE) {
  if (!is.null(private)) return(crypto_decrypt(text, private, allow_legacy))
  if (grepl(CRYPTO_SEPARATOR, text, fixed = TRUE)) {
    vtg_stop(paste(
      "the data looks encrypted ('$'-separated parts), but this collaboration is not",
      "encrypted"
    ))
  }
  crypto_b64decode(text, "the data")
}

# A result's bytes as an R object (NULL for none). RDS is read only when `rds_allowed`
# (results of a task this client created with format "rds"): unserializing bytes from
# elsewhere could run anything. Text that is not JSON is returned as the raw bytes it is.
# Prefixes are compared without regard to case: the original vtg wrote its data_format
# ("rds", "json") as given.
payload_decode_result <- function(bytes, rds_allowed = FALSE) {
  if (length(bytes) == 0) return(NULL)
  if (payload_starts_with(bytes, PAYLOAD_RDS_PREFIX)) {
    if (!rds_allowed) {
      vtg_stop(paste(
        "the result is in R's serialize format (RDS), which is read only for tasks created",
        "by this client with format = \"rds\""
      ))
    }
    # gzcon reads both serialize() output and saveRDS()'s compressed files.
    connection <- gzcon(rawConnection(bytes[-seq_along(PAYLOAD_RDS_PREFIX)]))
    on.exit(close(connection))
    return(readRDS(connection))
  }
  if (payload_starts_with(bytes, PAYLOAD_JSON_PREFIX)) {
    bytes <- bytes[-seq_along(PAYLOAD_JSON_PREFIX)]
  }
  text <- tryCatch(rawToChar(bytes), error = function(e) NULL)
  # validate() first: fromJSON() takes text that is not JSON for a file name or URL.
  if (is.null(text) || !jsonlite::validate(text)) return(bytes)
  Encoding(text) <- "UTF-8"
  jsonlite::fromJSON(text, simplifyVector = TRUE)
}

payload_starts_with <- function(bytes, prefix) {
  length(bytes) >= length(prefix) &&
    identical(payload_lower(bytes[seq_along(prefix)]), payload_lower(prefix))
}

# ASCII letters in lower case, other bytes as they are (tolower() fails on invalid UTF-8).
payload_lower <- function(bytes) {
  upper <- bytes >= as.raw(0x41) & bytes <= as.raw(0x5A)
  bytes[upper] <- as.raw(as.integer(bytes[upper]) + 32L)
  bytes
}

# The arguments of call(method, ...) as the task's input has them: unnamed ones positional
# (args), named ones by keyword (kwargs), as the original vtg's call() split them.
payload_call_arguments <- function(arguments) {
  named <- if (is.null(names(arguments))) logical(length(arguments)) else nzchar(names(arguments))
  list(args = unname(arguments[!named]), kwargs = arguments[named])
}
