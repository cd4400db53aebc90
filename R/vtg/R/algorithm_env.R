# The algorithm side: the environment a vantage6 node gives an algorithm run.
#
# The node passes every value base32-encoded, with '=' written as '!', so that any byte
# survives the container runtime; a value that is not such an encoding is used as it is (as
# the Python tools do: vantage6/algorithm/env.py). The variables (see ALGORITHMS.md):
#   INPUT_FILE, OUTPUT_FILE, TOKEN_FILE      the run's files
#   HOST, PORT, API_PATH                     the node proxy, for central functions
#   TEMPORARY_FOLDER                         shared by the runs of one job
#   USER_REQUESTED_DATABASE_LABELS           the task's databases, comma separated, in order
#   DB_LABELS                                all databases of the node
#   <LABEL>_DATABASE_URI, <LABEL>_DATABASE_TYPE, <LABEL>_SHEET_NAME, <LABEL>_PREPROCESSING
#   PKG_NAME                                 the algorithm package (set by the image)
#   VTG_ALLOW_RDS                            "true" when the node's policy lets R read RDS input

# Values that decode_environment() wrote in place: they are plain and are not decoded again.
.algorithm_state <- new.env(parent = emptyenv())
.algorithm_state$plain <- list()

ALG_BASE32_ALPHABET <- strsplit("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "")[[1]]

# A setup problem of the run (bad input, a missing variable or database): reported as one
# line, without a traceback, by docker.wrapper(). It is also a vtg_error.
algorithm_error <- function(message, call = NULL) {
  condition <- structure(
    class = c("vtg_algorithm_error", "vtg_error", "error", "condition"),
    list(message = message, call = call)
  )
  stop(condition)
}

# The bytes of a base32 text as Python's base64.b32decode() reads it (upper case alphabet,
# length a multiple of 8, 0, 1, 3, 4 or 6 padding characters), or NULL when it is none.
base32_decode <- function(text) {
  if (!is.character(text) || length(text) != 1L || is.na(text)) return(NULL)
  chars <- strsplit(text, "")[[1]]
  if (length(chars) %% 8L != 0L) return(NULL)
  if (length(chars) == 0L) return(raw(0))
  padding <- 0L
  while (padding < length(chars) && chars[length(chars) - padding] == "=") {
    padding <- padding + 1L
  }
  if (!padding %in% c(0L, 1L, 3L, 4L, 6L)) return(NULL)
  chars <- chars[seq_len(length(chars) - padding)]
  values <- match(chars, ALG_BASE32_ALPHABET) - 1L
  if (anyNA(values)) return(NULL)
  # five bits per character, most significant first
  bits <- as.vector(vapply(values, function(v) (v %/% c(16L, 8L, 4L, 2L, 1L)) %% 2L, integer(5)))
  n_bytes <- (5L * length(values)) %/% 8L
  if (n_bytes == 0L) return(raw(0))
  bits <- matrix(bits[seq_len(8L * n_bytes)], nrow = 8L)
  as.raw(colSums(bits * c(128L, 64L, 32L, 16L, 8L, 4L, 2L, 1L)))
}

# The base32 form in which the node passes `value` (for tests and local runs).
base32_encode <- function(value) {
  bytes <- as.integer(charToRaw(enc2utf8(value)))
  if (length(bytes) == 0L) return("")
  bits <- as.vector(vapply(bytes, function(b) (b %/% c(128L, 64L, 32L, 16L, 8L, 4L, 2L, 1L)) %% 2L,
                           integer(8)))
  n_chars <- ceiling(length(bits) / 5)
  bits <- c(bits, integer(5L * n_chars - length(bits)))
  values <- colSums(matrix(bits, nrow = 5L) * c(16L, 8L, 4L, 2L, 1L))
  text <- paste0(ALG_BASE32_ALPHABET[values + 1L], collapse = "")
  padding <- (8L - n_chars %% 8L) %% 8L
  paste0(text, strrep("!", padding))
}

# The plain value of what the node passed: decoded when it is base32 ('!' for '=') of UTF-8
# text, else as it is.
decode_env_value <- function(value) {
  if (is.na(value)) return(value)
  bytes <- base32_decode(gsub("!", "=", value, fixed = TRUE))
  if (is.null(bytes)) return(value)
  if (any(bytes == as.raw(0L))) return(value)
  text <- rawToChar(bytes)
  if (!validUTF8(text)) return(value)
  Encoding(text) <- "UTF-8"
  text
}

#' A variable the node set for the run, decoded
#'
#' The node base32-encodes the values of the variables it sets; this is the plain value.
#' @param name the variable's name, e.g. "TEMPORARY_FOLDER".
#' @param default what an unset variable gives.
#' @return a string.
#' @export
vtg_env <- function(name, default = "") {
  raw <- Sys.getenv(name, unset = NA)
  if (is.na(raw)) return(default)
  plain <- .algorithm_state$plain[[name]]
  if (!is.null(plain) && identical(plain, raw)) return(raw)
  decode_env_value(raw)
}

# Replace each variable the node encoded by its plain value (as the Python wrapper does), so
# that algorithms may read Sys.getenv() directly.
decode_environment <- function() {
  variables <- Sys.getenv()
  for (name in names(variables)) {
    raw <- variables[[name]]
    plain <- .algorithm_state$plain[[name]]
    if (!is.null(plain) && identical(plain, raw)) next
    value <- decode_env_value(raw)
    if (!identical(value, raw)) do.call(Sys.setenv, stats::setNames(list(value), name))
    .algorithm_state$plain[[name]] <- value
  }
  invisible(NULL)
}

# A variable the run cannot go without; `meaning` says what it is for.
env_require <- function(name, meaning) {
  value <- vtg_env(name)
  if (!nzchar(value)) {
    algorithm_error(sprintf("environment variable %s (%s) is not set", name, meaning))
  }
  value
}

# -- databases ----------------------------------------------------------------------------

# The labels of the databases the task requested, in task order.
requested_labels <- function() {
  labels <- trimws(strsplit(vtg_env("USER_REQUESTED_DATABASE_LABELS"), ",", fixed = TRUE)[[1]])
  labels[nzchar(labels)]
}

# What an RPC_ function gets as `data`: the data.frame of the first requested database, or a
# list of them (named by label) when the task requested several. A node of the original 3.x
# kind sets only DATABASE_URI (a CSV file): it is read when no label was requested.
load_run_data <- function() {
  labels <- requested_labels()
  if (length(labels) == 0L) {
    legacy <- vtg_env("DATABASE_URI")
    if (nzchar(legacy)) {
      return(read_database(legacy, vtg_env("DATABASE_TYPE", "csv"), label = "DATABASE_URI"))
    }
    algorithm_error(
      "the algorithm's RPC_ function needs data, but the task requested no database"
    )
  }
  frames <- lapply(labels, load_database)
  names(frames) <- labels
  if (length(frames) == 1L) frames[[1L]] else frames
}

# One database of the node, as its variables describe it.
load_database <- function(label) {
  prefix <- toupper(label)
  uri <- vtg_env(paste0(prefix, "_DATABASE_URI"))
  type <- vtg_env(paste0(prefix, "_DATABASE_TYPE"))
  if (!nzchar(uri)) {
    if (tolower(type) == "sql") {
      algorithm_error(sprintf(
        "database '%s' is of type sql, which the node loads itself; it gave this run no data",
        label
      ))
    }
    algorithm_error(sprintf(
      "database '%s' was requested but this node has no such database (%s_DATABASE_URI is not set)",
      label, prefix
    ))
  }
  preprocessing <- vtg_env(paste0(prefix, "_PREPROCESSING"), "[]")
  if (!preprocessing %in% c("", "[]", "null")) {
    algorithm_error(sprintf("database '%s': preprocessing is not supported yet", label))
  }
  read_database(uri, type, label = label, sheet = vtg_env(paste0(prefix, "_SHEET_NAME")))
}

# Types that exist but have no reader: their data goes to the algorithm as its location.
ALG_LOCATION_TYPES <- c("folder", "other")

read_database <- function(uri, type, label, sheet = "") {
  type <- tolower(type)
  what <- sprintf("database '%s' (%s)", label, uri)
  if (type %in% ALG_LOCATION_TYPES) return(uri)  # the algorithm reads it as it likes
  if (!type %in% c("csv", "parquet", "excel")) {
    state <- if (type == "sql") {
      "is loaded by the node, which should have passed its result as csv"
    } else {
      "is not supported by the R wrapper"
    }
    algorithm_error(sprintf(
      "%s: type '%s' %s; supported: csv, parquet (with the R package arrow), excel (with the R package readxl), folder and other (given as their location)",
      what, type, state
    ))
  }
  if (!file.exists(uri) || dir.exists(uri)) {
    algorithm_error(sprintf("%s: file not found", what))
  }
  reader <- switch(
    type,
    csv = function() utils::read.csv(uri, check.names = FALSE, stringsAsFactors = FALSE),
    parquet = function() {
      need_reader("arrow", "parquet", what)
      as.data.frame(getExportedValue("arrow", "read_parquet")(uri))
    },
    excel = function() {
      need_reader("readxl", "excel", what)
      as.data.frame(getExportedValue("readxl", "read_excel")(
        uri, sheet = if (nzchar(sheet)) sheet else 1L
      ))
    }
  )
  tryCatch(reader(), vtg_algorithm_error = function(e) stop(e), error = function(e) {
    algorithm_error(sprintf("%s could not be read as %s: %s", what, type, conditionMessage(e)))
  })
}

need_reader <- function(package, type, what) {
  if (!requireNamespace(package, quietly = TRUE)) {
    algorithm_error(sprintf(
      "%s is of type %s, which needs the R package %s, and this image does not have it (install it in the algorithm's image, or give the node the data as csv)",
      what, type, package
    ))
  }
}
