# Node side: checking the node's data before any statistic of it leaves the node.

# Minimum number of usable rows a node needs before it answers, unless its administrator
# configures another one (environment variable VTG_COXPH_MIN_ROWS in the algorithm's
# environment, or the R option vtg.coxph.min_rows). The researcher cannot change it: it is not
# an argument of the partial functions.
DEFAULT_MIN_ROWS <- 10L

minimum_rows <- function() {
    value <- getOption("vtg.coxph.min_rows")
    source <- "the option vtg.coxph.min_rows"
    if (is.null(value)) {
        value <- Sys.getenv("VTG_COXPH_MIN_ROWS", "")
        source <- "VTG_COXPH_MIN_ROWS"
        if (!nzchar(value)) return(DEFAULT_MIN_ROWS)
    }
    n <- suppressWarnings(as.integer(value))
    if (length(n) != 1 || is.na(n) || n < 1) {
        refuse(sprintf("%s must be a whole number of at least 1, not '%s'",
                       source, paste(value, collapse = " ")))
    }
    n
}

# A refusal: the node declines to compute because of its data or the request. The partial
# functions return it as list(error = message), so that the researcher gets the message
# whatever the wrapper does with R errors; unexpected errors are ordinary R errors.
refuse <- function(...) {
    stop(structure(
        class = c("vtg_coxph_refusal", "error", "condition"),
        list(message = paste0(...), call = NULL)
    ))
}

as_refusal_result <- function(expr) {
    tryCatch(expr, vtg_coxph_refusal = function(e) list(error = conditionMessage(e)))
}

quote_names <- function(x) paste0("'", x, "'", collapse = ", ")

check_column_name <- function(x, what) {
    x <- decode_names(x)
    if (length(x) != 1 || is.na(x) || !nzchar(x)) {
        refuse(sprintf("%s must be a single column name", what))
    }
    x
}

# The rows of `data` that the model uses, as time, status (0/1) and covariate matrix.
# Rows with a missing value in one of the used columns are left out (as survival::coxph does
# with its default na.action); the node then needs at least minimum_rows() rows left.
prepare_data <- function(data, time_col, censor_col, expl_vars = NULL) {
    time_col <- check_column_name(time_col, "time_col")
    censor_col <- check_column_name(censor_col, "censor_col")
    expl_vars <- decode_names(expl_vars)
    if (anyNA(expl_vars) || any(!nzchar(expl_vars))) {
        refuse("expl_vars must be column names")
    }
    if (anyDuplicated(expl_vars)) {
        refuse(sprintf("expl_vars names a column twice: %s",
                       quote_names(unique(expl_vars[duplicated(expl_vars)]))))
    }
    if (any(c(time_col, censor_col) %in% expl_vars)) {
        refuse("the time and censor columns cannot also be explanatory variables")
    }
    if (is.matrix(data)) data <- as.data.frame(data, stringsAsFactors = FALSE)
    if (!is.data.frame(data)) {
        refuse("the node's data is not a table (data frame)")
    }

    used <- c(time_col, censor_col, expl_vars)
    missing <- setdiff(used, names(data))
    if (length(missing) > 0) {
        refuse(sprintf("column%s %s not found in the node's data",
                       if (length(missing) > 1) "s" else "", quote_names(missing)))
    }
    for (column in used) {
        values <- data[[column]]
        if (!(is.numeric(values) || is.logical(values)) || is.factor(values)) {
            kind <- if (is.factor(values)) "factor" else class(values)[1]
            refuse(sprintf(
                "column '%s' is not numeric (it holds %s values); recode it as numbers (e.g. 0/1 indicator columns)",
                column, kind))
        }
    }

    time <- as.numeric(data[[time_col]])
    status <- as.numeric(data[[censor_col]])
    x <- matrix(0, nrow = nrow(data), ncol = length(expl_vars),
                dimnames = list(NULL, expl_vars))
    for (j in seq_along(expl_vars)) x[, j] <- as.numeric(data[[expl_vars[j]]])

    complete <- !is.na(time) & !is.na(status)
    if (length(expl_vars) > 0) complete <- complete & stats::complete.cases(x)

    n <- sum(complete)
    min_rows <- minimum_rows()
    if (n < min_rows) {
        refuse(sprintf(
            "the node's data has %d usable row%s (no missing values in the used columns), fewer than the minimum of %d this node requires",
            n, if (n == 1) "" else "s", min_rows))
    }

    time <- time[complete]
    status <- status[complete]
    x <- x[complete, , drop = FALSE]

    if (any(!is.finite(time))) {
        refuse(sprintf("column '%s' holds infinite values", time_col))
    }
    if (any(!status %in% c(0, 1))) {
        refuse(sprintf(
            "column '%s' must be 0 (censored) or 1 (event), or FALSE/TRUE; it holds other values",
            censor_col))
    }
    if (any(!is.finite(x))) {
        bad <- expl_vars[colSums(!is.finite(x)) > 0]
        refuse(sprintf("column%s %s hold%s infinite values",
                       if (length(bad) > 1) "s" else "", quote_names(bad),
                       if (length(bad) > 1) "" else "s"))
    }

    list(time = time, status = status, x = x, n = n, n_incomplete = nrow(data) - n,
         expl_vars = expl_vars)
}

# Numbers sent by the researcher (beta, times, centre), as text or as numbers.
request_numbers <- function(x, what, length = NULL) {
    values <- decode_numbers(x)
    if (anyNA(values) || any(!is.finite(values))) {
        refuse(sprintf("%s must be finite numbers", what))
    }
    if (!is.null(length) && length(values) != length) {
        refuse(sprintf("%s must have %d value%s (one per explanatory variable), not %d",
                       what, length, if (length == 1) "" else "s", length(values)))
    }
    values
}
