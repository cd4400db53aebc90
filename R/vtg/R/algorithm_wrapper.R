# The algorithm side: what an R algorithm's image runs. The node starts the image with its
# variables (see algorithm_env.R); docker.wrapper() reads the input, calls the function of the
# algorithm package the input names and writes what it returned to the output file.

#' Run an R algorithm as a vantage6 node asks
#'
#' The entry point of R algorithm images (`CMD ["Rscript", "-e",
#' "vtg::docker.wrapper(Sys.getenv('PKG_NAME'))"]`). It decodes the node's variables, reads
#' the input file, calls the function it names in package `pkg` and writes the result to the
#' output file:
#' * method `m` calls `RPC_m(data, <args>, <kwargs>)` when the package has `RPC_m`, with `data`
#'   the data.frame of the first database the task requested (a named list of data.frames when
#'   it requested several);
#' * else `m(client, <args>, <kwargs>)`, a central function, with `client` an
#'   [AlgorithmClient] to create subtasks with;
#' * input in the 3.x shape with `"master": true` calls only `m`, the central function
#'   (`"master": false`, which the original vtg client and ours send with RDS input, changes
#'   nothing).
#'
#' Any failure is written to standard error (the run's log), with the calls that led to it
#' (their names only, not their values, which could be data), and ends R with exit status 1 so
#' that the node marks the run failed. Errors of class `vtg_error` (such as those of
#' [vtg_error()], for an algorithm to refuse with a message only) are logged without calls.
#' See ALGORITHMS.md for the formats.
#'
#' @param pkg the algorithm package; empty: the variable `PKG_NAME`.
#' @param quit_on_error whether a failure ends R with status 1 (else it is signalled).
#' @return NULL, invisibly; the result goes to the output file.
#' @export
docker.wrapper <- function(pkg = Sys.getenv("PKG_NAME"), quit_on_error = TRUE) {
  old <- options(warn = 1)  # warnings into the log as they happen
  on.exit(options(old))
  .algorithm_state$failure <- NULL
  failure <- tryCatch({
    decode_environment()
    pkg <- if (length(pkg) == 1L && !is.na(pkg) && nzchar(pkg)) decode_env_value(pkg) else ""
    if (!nzchar(pkg)) pkg <- env_require("PKG_NAME", "the algorithm package, set by the image")
    run_algorithm(
      pkg,
      env_require("INPUT_FILE", "the run's input file"),
      env_require("OUTPUT_FILE", "the run's output file")
    )
    NULL
  }, error = function(e) e)
  if (is.null(failure)) {
    alg_log("INFO", "done")
    return(invisible(NULL))
  }
  report_failure(failure)
  if (quit_on_error) quit(save = "no", status = 1L, runLast = FALSE)
  stop(failure)
}

# Read the input, call the function, write its result; failures are signalled.
run_algorithm <- function(pkg, input_file, output_file) {
  bytes <- read_input_file(input_file)
  call <- parse_input(bytes)
  functions <- algorithm_namespace(pkg)
  result <- alg_dispatch(functions, call, pkg)
  output <- encode_output(result, call)
  written <- tryCatch({
    writeBin(output, output_file)
    TRUE
  }, error = function(e) conditionMessage(e), warning = function(w) conditionMessage(w))
  if (!isTRUE(written)) {
    algorithm_error(sprintf("the output file %s cannot be written (%s)", output_file, written))
  }
  alg_log("INFO", sprintf("wrote %d bytes of %s output", length(output),
                          if (identical(call$output_format, "rds")) "RDS" else "JSON"))
  invisible(result)
}

read_input_file <- function(path) {
  size <- file.size(path)
  if (is.na(size)) algorithm_error(sprintf("the input file %s cannot be read (it does not exist)", path))
  tryCatch(readBin(path, "raw", n = max(size, 1)), error = function(e) {
    algorithm_error(sprintf("the input file %s cannot be read (%s)", path, conditionMessage(e)))
  })
}

# The namespace of the algorithm package, where its functions are looked up.
algorithm_namespace <- function(pkg) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    installed <- nzchar(system.file(package = pkg))
    if (installed) {
      # installed but broken: loading it again shows why
      tryCatch(loadNamespace(pkg), error = function(e) {
        algorithm_error(sprintf("algorithm package '%s' cannot be loaded: %s", pkg,
                                conditionMessage(e)))
      })
    }
    algorithm_error(sprintf("algorithm package '%s' is not installed in this image", pkg))
  }
  asNamespace(pkg)
}

# The function the call names, as list(name, fun, kind = "rpc" | "central").
resolve_function <- function(functions, call, pkg = "the algorithm package") {
  method <- call$method
  check_function_name(method)
  rpc <- if (startsWith(method, "RPC_")) method else paste0("RPC_", method)
  candidates <- if (startsWith(method, "RPC_")) {
    list(c(rpc, "rpc"))
  } else if (isTRUE(call$master)) {
    list(c(method, "central"))
  } else {
    list(c(rpc, "rpc"), c(method, "central"))
  }
  for (candidate in candidates) {
    fun <- get0(candidate[[1]], envir = functions, mode = "function", inherits = FALSE)
    if (!is.null(fun)) return(list(name = candidate[[1]], fun = fun, kind = candidate[[2]]))
  }
  wanted <- paste(vapply(candidates, `[[`, "", 1L), collapse = " or ")
  algorithm_error(sprintf(
    "algorithm package '%s' has no function %s%s. Its RPC_ functions: %s; its central functions: %s",
    pkg, wanted,
    if (isTRUE(call$master)) " (the input says master = true)" else "",
    alg_name_list(public_functions(functions, rpc = TRUE)),
    alg_name_list(public_functions(functions, rpc = FALSE))
  ))
}

# The functions to name when a method is not found: RPC_ ones, and as central ones those the
# package exports (any function of the namespace can be called, but helpers are not meant to).
public_functions <- function(functions, rpc) {
  names <- sort(ls(functions, all.names = FALSE))
  if (!rpc && isNamespace(functions)) {
    names <- intersect(names, getNamespaceExports(functions))
  }
  names <- names[vapply(names, function(n) {
    is.function(get0(n, envir = functions, inherits = FALSE)) && identical(make.names(n), n)
  }, logical(1))]
  if (rpc) names[startsWith(names, "RPC_")] else names[!startsWith(names, "RPC_")]
}

alg_name_list <- function(names, most = 20L) {
  if (length(names) == 0L) return("none")
  shown <- paste(utils::head(names, most), collapse = ", ")
  if (length(names) > most) shown <- sprintf("%s (and %d more)", shown, length(names) - most)
  shown
}

# Call the function the input names: an RPC_ function with the run's data first, a central
# function with an AlgorithmClient first; then the input's args and kwargs.
alg_dispatch <- function(functions, call, pkg = "the algorithm package",
                     load_data = load_run_data,
                     make_client = function() AlgorithmClient$new()) {
  target <- resolve_function(functions, call, pkg)
  if (target$kind == "rpc") {
    first <- load_data()
    alg_log("INFO", sprintf("calling %s::%s with %s", pkg, target$name, describe_data(first)))
  } else {
    first <- make_client()
    alg_log("INFO", sprintf("calling %s::%s (a central function) with the algorithm client",
                            pkg, target$name))
  }
  arguments <- c(list(first), call$args, call$kwargs)
  call_with_stack(target$name, target$fun, arguments)
}

describe_data <- function(data) {
  one <- function(x) {
    if (is.data.frame(x)) sprintf("%d rows x %d columns", nrow(x), ncol(x)) else "a location"
  }
  if (is.data.frame(data) || !is.list(data)) return(sprintf("data (%s)", one(data)))
  sprintf("data from %d databases (%s)", length(data),
          paste(sprintf("%s: %s", names(data), vapply(data, one, "")), collapse = "; "))
}

# Call `fun` under its own name (so the log's calls say which), noting the calls that led to
# an error for report_failure().
call_with_stack <- function(name, fun, arguments) {
  caller <- new.env(parent = baseenv())
  assign(name, fun, envir = caller)
  depth <- sys.nframe()
  withCallingHandlers(
    do.call(name, arguments, envir = caller),
    error = function(e) {
      if (inherits(e, "vtg_error")) return()
      calls <- sys.calls()
      calls <- calls[seq_len(max(0L, length(calls) - 1L))]  # without this handler
      calls <- calls[-seq_len(min(length(calls), depth + 2L))]  # without the wrapper's
      n <- length(calls)
      if (n > 0L && identical(calls[[n]][[1]], quote(.handleSimpleError))) calls <- calls[-n]
      .algorithm_state$failure <- list(condition = e, calls = lapply(calls, describe_call))
    }
  )
}

describe_call <- function(call) {
  f <- call[[1]]
  label <- if (is.name(f)) {
    as.character(f)
  } else if (is.call(f)) {
    paste(deparse(f, width.cutoff = 60L, nlines = 1L), collapse = "")
  } else {
    "<anonymous function>"
  }
  source <- attr(call, "srcref")
  if (!is.null(source)) {
    file <- tryCatch(utils::getSrcFilename(source), error = function(e) character(0))
    if (length(file) == 1L && nzchar(file)) label <- sprintf("%s (%s:%d)", label, file, source[[1]])
  }
  label
}

# The failure in the run's log: its message and, for an error inside the algorithm, the calls
# that led to it.
report_failure <- function(e) {
  if (inherits(e, "vtg_error")) {
    alg_log("ERROR", conditionMessage(e))
    return(invisible())
  }
  where <- conditionCall(e)
  in_function <- if (is.call(where)) sprintf(" (in %s)", describe_call(where)) else ""
  alg_log("ERROR", sprintf("the algorithm failed%s: %s", in_function, conditionMessage(e)))
  recorded <- .algorithm_state$failure
  if (!is.null(recorded) && identical(recorded$condition, e) && length(recorded$calls) > 0L) {
    lines <- sprintf("  %d: %s", seq_along(recorded$calls), unlist(recorded$calls))
    cat("Traceback (calls only, innermost last):", lines, sep = "\n", file = stderr())
  }
  invisible()
}

# One line of the run's log, on standard error; options(vtg.quiet = TRUE) keeps only errors.
alg_log <- function(level, message) {
  if (isTRUE(getOption("vtg.quiet")) && level != "ERROR") return(invisible())
  cat(sprintf("%s %s vtg: %s\n", format(Sys.time(), "%Y-%m-%d %H:%M:%S"), level, message),
      file = stderr())
}
