# A stand-in for the vantage6 client: runs the package's partial functions on local data
# frames, one per "node", and sends every argument and every result through JSON the way the
# real path does: the task's kwargs are serialized by the client and parsed by the node's
# wrapper, and each node's result is written with toJSON(auto_unbox = TRUE, digits = NA) and
# decoded with fromJSON(simplifyVector = TRUE).
#
# kwargs_digits / kwargs_simplify: how the task's arguments are serialized and parsed
# (jsonlite's defaults are digits = 4 and simplifyVector = TRUE), to show the result does not
# depend on them.
json_round_trip <- function(x, digits = NA, simplify = TRUE) {
    json <- jsonlite::toJSON(x, auto_unbox = TRUE, digits = digits)
    jsonlite::fromJSON(json, simplifyVector = simplify)
}

MockClient <- function(datasets, kwargs_digits = NA, kwargs_simplify = TRUE) {
    self <- new.env()
    self$datasets <- datasets
    self$image <- NULL
    self$task_name <- NULL
    self$organizations <- NULL
    self$calls <- character(0)
    self$setTaskImage <- function(image, task.name = "") {
        self$image <- image
        self$task_name <- task.name
        invisible(self)
    }
    self$setOrganizations <- function(organizations) {
        self$organizations <- organizations
        invisible(self)
    }
    self$call <- function(method, ...) {
        self$calls <- c(self$calls, method)
        kwargs <- list(...)
        stopifnot(length(kwargs) == 0 || all(nzchar(names(kwargs))))
        sent <- json_round_trip(kwargs, digits = kwargs_digits, simplify = kwargs_simplify)
        partial <- get(paste0("RPC_", method), mode = "function")
        nodes <- if (is.null(self$organizations)) seq_along(self$datasets) else self$organizations
        lapply(nodes, function(k) {
            result <- do.call(partial, c(list(self$datasets[[k]]), sent))
            json_round_trip(result)
        })
    }
    self
}

# Splits `data` into `sizes` consecutive parts (after a fixed shuffle).
split_rows <- function(data, sizes) {
    stopifnot(sum(sizes) == nrow(data))
    set.seed(1)
    node <- sample(rep(seq_along(sizes), times = sizes))
    lapply(seq_along(sizes), function(k) data[node == k, , drop = FALSE])
}

pooled_fit <- function(data, expl_vars, time_col = "Time", censor_col = "Censor") {
    formula <- stats::as.formula(paste0("survival::Surv(", time_col, ", ", censor_col, ") ~ ",
                                        paste(expl_vars, collapse = " + ")))
    survival::coxph(formula, data = data, ties = "breslow")
}

bundled_nodes <- function() {
    lapply(1:3, function(k) extdata(sprintf("coxph-node%d.csv", k)))
}
