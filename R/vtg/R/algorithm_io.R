# The algorithm side: the run's input (which function to call, with which arguments) and its
# output (what the function returned), in the formats vantage6 uses. See ALGORITHMS.md.
#
# Input, the bytes of INPUT_FILE:
#   {"method": "m", "args": [...], "kwargs": {...}}       JSON (any vantage6 client)
#   the same with "master": true|false, "output_format"   the 3.x and original vtg shape
#   json.<JSON>                                           the same, with a format prefix
#   RDS.<base::serialize() of list(master, debug, method, args, kwargs, output_format)>
#                                                         the original vtg R client's; read
#                                                         only when VTG_ALLOW_RDS is "true"
#   pickle.<...>                                          refused
# Output, the bytes of OUTPUT_FILE: JSON (see alg_to_json()), without a prefix; "json." + JSON
# when the input had a format prefix (the original clients read only prefixed output);
# "RDS." + base::serialize() when the input asks output_format "RDS".

ALG_JSON_PREFIX <- "json."
ALG_RDS_PREFIX <- "rds."  # compared without regard to case: the original writes "RDS."
ALG_PICKLE_PREFIX <- "pickle."

# Whether the node's policy lets this run unserialize RDS (the node sets VTG_ALLOW_RDS).
rds_allowed <- function() {
  identical(tolower(vtg_env("VTG_ALLOW_RDS")), "true")
}

RDS_REFUSED <- paste(
  "the input is in R's serialize format (RDS.), which this node does not run:",
  "unserializing data from others can run code in R (CVE-2024-27322).",
  "Send the input as JSON, or let the node's owner allow it with allow_rds = true in the",
  "[policies] section of the node's configuration"
)

alg_has_prefix <- function(bytes, prefix, ignore_case = FALSE) {
  expected <- charToRaw(prefix)
  n <- length(expected)
  if (length(bytes) < n) return(FALSE)
  head <- as.integer(bytes[seq_len(n)])
  if (ignore_case) {
    upper <- head >= 65L & head <= 90L
    head[upper] <- head[upper] + 32L
  }
  identical(head, as.integer(expected))
}

# The call the input asks for: list(method, args (a list), kwargs (a named list), master
# (NULL, TRUE or FALSE), output_format ("json", "rds" or NULL), format ("json" or "rds"),
# prefixed (whether the input had a format prefix)).
parse_input <- function(bytes, allow_rds = rds_allowed()) {
  if (is.character(bytes)) bytes <- charToRaw(enc2utf8(bytes))
  if (length(bytes) == 0L) algorithm_error("the input file is empty")
  if (alg_has_prefix(bytes, ALG_PICKLE_PREFIX, ignore_case = TRUE)) {
    algorithm_error("pickled input is refused (unsafe since vantage6 4.0); send JSON")
  }
  if (alg_has_prefix(bytes, ALG_RDS_PREFIX, ignore_case = TRUE)) {
    if (!allow_rds) algorithm_error(RDS_REFUSED)
    document <- read_rds_bytes(utils::tail(bytes, -nchar(ALG_RDS_PREFIX)), "the input")
    return(check_call(document, format = "rds", prefixed = TRUE))
  }
  prefixed <- alg_has_prefix(bytes, ALG_JSON_PREFIX, ignore_case = TRUE)
  if (prefixed) bytes <- utils::tail(bytes, -nchar(ALG_JSON_PREFIX))
  document <- read_json_bytes(bytes, "the input")
  if (!is.list(document) || (length(document) > 0L && is.null(names(document)))) {
    algorithm_error("the input must be a JSON object with a 'method'")
  }
  document[["args"]] <- alg_json_list(document[["args"]], "args", named = FALSE)
  document[["kwargs"]] <- alg_json_list(document[["kwargs"]], "kwargs", named = TRUE)
  check_call(document, format = "json", prefixed = prefixed)
}

# The input's arguments: each JSON value simplified as jsonlite::fromJSON() simplifies it on
# its own (arrays of numbers become numeric vectors, arrays of objects data.frames, ...), but
# never the list of arguments itself (args [1, "a"] stays list(1L, "a")).
alg_json_list <- function(value, key, named) {
  if (is.null(value)) return(if (named) alg_empty_named_list() else list())
  if (!is.list(value) || (named && length(value) > 0L && is.null(names(value))) ||
      (!named && !is.null(names(value)))) {
    algorithm_error(sprintf("'%s' in the input must be %s", key,
                            if (named) "an object" else "a list"))
  }
  simplified <- lapply(value, simplify_json_value)
  if (named) names(simplified) <- names(value)
  simplified
}

alg_empty_named_list <- function() stats::setNames(list(), character(0))

# A value as parsed by jsonlite::parse_json(simplifyVector = FALSE), simplified exactly as
# jsonlite::fromJSON() would have simplified its text (numbers keep all their digits).
simplify_json_value <- function(value) {
  if (is.null(value) || (is.atomic(value) && length(value) == 1L)) return(value)
  jsonlite::fromJSON(alg_exact_json(value), simplifyVector = TRUE)
}

# JSON text of a parsed value, doubles with 17 significant digits (jsonlite writes 15).
alg_exact_json <- function(value) {
  if (is.null(value)) return("null")
  if (is.list(value)) {
    if (length(value) == 0L) return(if (is.null(names(value))) "[]" else "{}")
    parts <- vapply(value, alg_exact_json, character(1), USE.NAMES = FALSE)
    if (!is.null(names(value))) {
      keys <- vapply(names(value), alg_json_string, character(1), USE.NAMES = FALSE)
      return(paste0("{", paste0(keys, ":", parts, collapse = ","), "}"))
    }
    return(paste0("[", paste0(parts, collapse = ","), "]"))
  }
  if (is.logical(value)) return(if (isTRUE(value)) "true" else "false")
  if (is.integer(value)) return(as.character(value))
  if (is.double(value)) {
    text <- sprintf("%.17g", value)
    if (!grepl("[.eE]", text)) text <- paste0(text, ".0")  # stays a double when read back
    return(text)
  }
  alg_json_string(as.character(value))
}

alg_json_string <- function(text) {
  as.character(jsonlite::toJSON(enc2utf8(text), auto_unbox = TRUE))
}

check_call <- function(document, format, prefixed) {
  if (!is.list(document)) {
    algorithm_error(sprintf("the %s input must be a list with a 'method'", toupper(format)))
  }
  method <- document[["method"]]
  if (!is.character(method) || length(method) != 1L || is.na(method) || !nzchar(method)) {
    algorithm_error("the input names no 'method' to call")
  }
  check_function_name(method)
  master <- document[["master"]]
  if (!is.null(master) && !(is.logical(master) && length(master) == 1L && !is.na(master))) {
    algorithm_error("'master' in the input must be true or false")
  }
  args <- document[["args"]]
  if (is.null(args)) args <- list()
  if (!is.list(args) && !is.atomic(args)) algorithm_error("'args' in the input must be a list")
  args <- as.list(args)
  kwargs <- document[["kwargs"]]
  if (is.null(kwargs)) kwargs <- list()
  kwargs <- as.list(kwargs)
  if (length(kwargs) > 0L && (is.null(names(kwargs)) || any(!nzchar(names(kwargs))))) {
    algorithm_error("'kwargs' in the input must have a name for every value")
  }
  list(
    method = method,
    args = args,
    kwargs = kwargs,
    master = master,
    output_format = output_format_of(document[["output_format"]]),
    format = format,
    prefixed = prefixed
  )
}

# Names of functions an input may call: syntactic R names that do not start with '.'.
check_function_name <- function(name) {
  if (startsWith(name, ".") || !identical(make.names(name), name)) {
    algorithm_error(sprintf("'%s' is not the name of a public function", name))
  }
  invisible(name)
}

output_format_of <- function(value) {
  if (is.null(value)) return(NULL)
  if (!is.character(value) || length(value) != 1L || !tolower(value) %in% c("json", "rds")) {
    algorithm_error(sprintf(
      "output_format '%s' is not supported; use json or RDS", paste(format(value), collapse = " ")
    ))
  }
  tolower(value)
}

read_json_bytes <- function(bytes, what) {
  text <- alg_bytes_to_text(bytes, what)
  tryCatch(
    jsonlite::parse_json(text, simplifyVector = FALSE),
    error = function(e) {
      algorithm_error(sprintf("%s is not JSON (%s)", what, trimws(conditionMessage(e))))
    }
  )
}

alg_bytes_to_text <- function(bytes, what) {
  if (any(bytes == as.raw(0L))) algorithm_error(sprintf("%s is not text (it holds NUL bytes)", what))
  text <- rawToChar(bytes)
  Encoding(text) <- "UTF-8"
  if (!validUTF8(text)) algorithm_error(sprintf("%s is not UTF-8 text", what))
  text
}

# An object in R's serialize format (optionally gzip-compressed, as saveRDS() writes it).
read_rds_bytes <- function(bytes, what) {
  connection <- gzcon(rawConnection(bytes))
  on.exit(close(connection))
  tryCatch(readRDS(connection), error = function(e) {
    algorithm_error(sprintf("%s is not in R's serialize format (%s)", what, conditionMessage(e)))
  })
}

# -- output --------------------------------------------------------------------------------

# The bytes of the output file for what `method` returned, in the format the call asks.
encode_output <- function(result, call) {
  output_format <- call$output_format
  if (is.null(output_format)) output_format <- "json"
  if (output_format == "rds") return(c(charToRaw("RDS."), serialize(result, NULL)))
  text <- tryCatch(alg_to_json(result), error = function(e) {
    algorithm_error(sprintf(
      "the result of '%s' cannot be written as JSON (%s); return lists, vectors and data.frames",
      call$method, conditionMessage(e)
    ))
  })
  bytes <- charToRaw(enc2utf8(text))
  if (isTRUE(call$prefixed)) bytes <- c(charToRaw(ALG_JSON_PREFIX), bytes)
  bytes
}

# JSON as vantage6 results and inputs travel: length-one vectors as scalars, NULL and NA (also
# NaN and Inf) as null, 15 significant digits, a data.frame column-wise ({"col": [values]},
# which Python's pandas.DataFrame(result) reads; row names are dropped), named vectors as
# objects, a matrix as an array of its rows, other classes by their underlying list.
alg_to_json <- function(value) {
  as.character(jsonlite::toJSON(
    named_vectors_as_lists(value),
    auto_unbox = TRUE, digits = NA, null = "null", na = "null",
    dataframe = "columns", force = TRUE
  ))
}

named_vectors_as_lists <- function(value) {
  if (is.data.frame(value)) return(value)
  if (is.list(value)) {
    value[] <- lapply(value, named_vectors_as_lists)
    return(value)
  }
  if (is.atomic(value) && is.null(dim(value)) && !is.null(names(value)) &&
      all(!is.na(names(value)) & nzchar(names(value)))) {
    return(as.list(value))
  }
  value
}

# A result (or input) as another run wrote it, decoded: JSON (optionally prefixed json.) is
# parsed with jsonlite::fromJSON(simplifyVector = TRUE); RDS. only when allowed.
decode_payload <- function(bytes, what = "a result", allow_rds = rds_allowed()) {
  if (length(bytes) == 0L) return(NULL)
  if (alg_has_prefix(bytes, ALG_PICKLE_PREFIX, ignore_case = TRUE)) {
    algorithm_error(sprintf("%s is pickled Python, which R cannot read", what))
  }
  if (alg_has_prefix(bytes, ALG_RDS_PREFIX, ignore_case = TRUE)) {
    if (!allow_rds) {
      algorithm_error(sprintf(
        "%s is in R's serialize format (RDS.), which is read only where the node's policy allows RDS (allow_rds)",
        what
      ))
    }
    return(read_rds_bytes(utils::tail(bytes, -nchar(ALG_RDS_PREFIX)), what))
  }
  if (alg_has_prefix(bytes, ALG_JSON_PREFIX, ignore_case = TRUE)) {
    bytes <- utils::tail(bytes, -nchar(ALG_JSON_PREFIX))
  }
  text <- alg_bytes_to_text(bytes, what)
  tryCatch(jsonlite::fromJSON(text, simplifyVector = TRUE), error = function(e) {
    algorithm_error(sprintf("%s is not JSON (%s)", what, trimws(conditionMessage(e))))
  })
}
