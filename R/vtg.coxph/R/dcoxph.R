# Researcher side: the federated Cox proportional-hazards fit.

# Federated Cox proportional-hazards regression (Breslow ties).
#
# client      a vtg::Client with its collaboration set (client$setCollaborationId(...))
# expl_vars   names of the (numeric) covariate columns
# time_col    name of the follow-up time column
# censor_col  name of the event indicator column: 1 (or TRUE) = event, 0 = censored
# organizations  optional ids of the organizations to include (default: all of the
#             collaboration)
# image       the algorithm image the nodes run
# max_iter    maximum number of Newton-Raphson iterations
# tol         convergence tolerance: stop when the largest step is below tol * (1 + max|beta|)
#             or the log partial likelihood changes by less than tol relatively
#
# Returns a data frame (class "dcoxph") with one row per covariate, named after it, and the
# columns coef, exp(coef), se(coef), z and p; its attributes hold the number of iterations,
# whether it converged, the log partial likelihood (at beta = 0 and at the estimate), the
# covariance matrix (var), the number of rows (n), of events (nevent) and of nodes.
dcoxph <- function(client, expl_vars, time_col, censor_col, organizations = NULL,
                   image = "vantage6/coxph", max_iter = 25, tol = 1e-10) {
    check_arguments(expl_vars, time_col, censor_col, max_iter, tol)
    expl_vars <- as.character(expl_vars)
    m <- length(expl_vars)

    client$setTaskImage(image, task.name = "vtg.coxph")
    if (!is.null(organizations)) client$setOrganizations(organizations)

    # 1. event times and counts per node -> the global distinct event times and counts
    results <- call_nodes(client, "get_unique_event_times_and_counts",
                          time_col = time_col, censor_col = censor_col, expl_vars = expl_vars)
    n_nodes <- length(results)
    times <- numeric(0)
    counts <- numeric(0)
    for (k in seq_along(results)) {
        node_times <- decode_numbers(results[[k]]$times)
        node_counts <- decode_numbers(results[[k]]$counts)
        if (length(node_times) != length(node_counts) || anyNA(node_times) ||
            anyNA(node_counts)) {
            stop(sprintf("vtg.coxph: node %d of %d returned malformed event times", k, n_nodes),
                 call. = FALSE)
        }
        times <- c(times, node_times)
        counts <- c(counts, node_counts)
    }
    if (sum(counts) == 0) {
        stop("vtg.coxph: there are no events (", censor_col, " = 1) in any node's data",
             call. = FALSE)
    }
    event_times <- sort(unique(times))
    events_at <- as.numeric(rowsum(counts, match(times, event_times), reorder = TRUE))

    # 2. summed covariates of the events, and of all rows (for centring)
    results <- call_nodes(client, "compute_summed_z",
                          expl_vars = expl_vars, time_col = time_col, censor_col = censor_col)
    z_events <- numeric(m)
    z_all <- numeric(m)
    n_rows <- 0
    n_events <- 0
    for (k in seq_along(results)) {
        r <- results[[k]]
        ze <- decode_numbers(r$z_events)
        za <- decode_numbers(r$z_all)
        if (length(ze) != m || length(za) != m || anyNA(ze) || anyNA(za)) {
            stop(sprintf("vtg.coxph: node %d of %d returned malformed covariate sums",
                         k, length(results)), call. = FALSE)
        }
        z_events <- z_events + ze
        z_all <- z_all + za
        n_rows <- n_rows + decode_numbers(r$n_rows)
        n_events <- n_events + decode_numbers(r$n_events)
    }
    if (n_events != sum(events_at)) {
        stop("vtg.coxph: the nodes reported different numbers of events in two steps ",
             "(did their data change?)", call. = FALSE)
    }
    center <- z_all / n_rows
    z_events_c <- z_events - n_events * center

    # 3. Newton-Raphson on the log partial likelihood; each evaluation is one round at the nodes
    evaluate <- function(beta) {
        results <- call_nodes(client, "perform_iteration",
                              expl_vars = expl_vars, time_col = time_col,
                              censor_col = censor_col, beta = encode_numbers(beta),
                              unique_event_times = encode_numbers(event_times),
                              center = encode_numbers(center))
        sums <- add_risk_set_sums(results, length(event_times), m)
        cox_derivatives(beta, sums, events_at, z_events_c, expl_vars)
    }

    beta <- rep(0, m)
    current <- evaluate(beta)
    loglik_null <- current$loglik
    if (!is.finite(loglik_null)) {
        stop("vtg.coxph: the log partial likelihood is not finite at beta = 0", call. = FALSE)
    }
    iterations <- 0
    converged <- FALSE
    while (iterations < max_iter) {
        iterations <- iterations + 1
        step <- newton_step(current, expl_vars)
        candidate <- evaluate(beta + step)
        # step halving, as survival::coxph does, when the likelihood got worse
        halvings <- 0
        slack <- 1e-10 * (1 + abs(current$loglik))   # rounding, not a real decrease
        while ((!is.finite(candidate$loglik) || candidate$loglik < current$loglik - slack) &&
               halvings < 20) {
            halvings <- halvings + 1
            step <- step / 2
            candidate <- evaluate(beta + step)
        }
        if (!is.finite(candidate$loglik)) {
            stop("vtg.coxph: the log partial likelihood became infinite; consider scaling the covariates",
                 call. = FALSE)
        }
        previous_loglik <- current$loglik
        beta <- beta + step
        current <- candidate
        small_step <- max(abs(step)) <= tol * (1 + max(abs(beta)))
        flat <- abs(current$loglik - previous_loglik) <= tol * abs(current$loglik)
        if (small_step || flat) {
            converged <- TRUE
            break
        }
    }
    if (!converged) {
        warning(sprintf(paste(
            "vtg.coxph: no convergence after %d iterations; a coefficient may be infinite",
            "(e.g. a covariate whose value separates events from non-events)"), max_iter),
            call. = FALSE)
    }

    covariance <- invert_information(current$information, expl_vars)
    se <- sqrt(diag(covariance))
    z <- beta / se
    table <- data.frame(
        coef = beta,
        "exp(coef)" = exp(beta),
        "se(coef)" = se,
        z = z,
        p = 2 * stats::pnorm(-abs(z)),
        row.names = expl_vars,
        check.names = FALSE
    )
    structure(
        table,
        class = c("dcoxph", "data.frame"),
        iterations = iterations,
        converged = converged,
        loglik = c(loglik_null, current$loglik),
        var = covariance,
        n = n_rows,
        nevent = n_events,
        nodes = n_nodes,
        ties = "breslow"
    )
}

check_arguments <- function(expl_vars, time_col, censor_col, max_iter, tol) {
    if (!is.character(expl_vars) || length(expl_vars) == 0 || anyNA(expl_vars) ||
        any(!nzchar(expl_vars))) {
        stop("vtg.coxph: expl_vars must be a character vector of column names", call. = FALSE)
    }
    if (anyDuplicated(expl_vars)) {
        stop("vtg.coxph: expl_vars names a column twice: ",
             quote_names(unique(expl_vars[duplicated(expl_vars)])), call. = FALSE)
    }
    for (arg in list(list(time_col, "time_col"), list(censor_col, "censor_col"))) {
        value <- arg[[1]]
        if (!is.character(value) || length(value) != 1 || is.na(value) || !nzchar(value)) {
            stop("vtg.coxph: ", arg[[2]], " must be a single column name", call. = FALSE)
        }
    }
    if (time_col == censor_col) {
        stop("vtg.coxph: time_col and censor_col must be different columns", call. = FALSE)
    }
    both <- intersect(c(time_col, censor_col), expl_vars)
    if (length(both) > 0) {
        stop("vtg.coxph: ", quote_names(both), " cannot be both an explanatory variable and ",
             "the time or censor column", call. = FALSE)
    }
    if (!is.numeric(max_iter) || length(max_iter) != 1 || is.na(max_iter) || max_iter < 1) {
        stop("vtg.coxph: max_iter must be a number of at least 1", call. = FALSE)
    }
    if (!is.numeric(tol) || length(tol) != 1 || is.na(tol) || tol <= 0) {
        stop("vtg.coxph: tol must be a positive number", call. = FALSE)
    }
}

# Runs one partial function at the nodes; stops with the node's own message when one refuses.
call_nodes <- function(client, method, ...) {
    results <- tryCatch(
        client$call(method, ...),
        error = function(e) {
            stop(sprintf("vtg.coxph: the task '%s' failed: %s", method, conditionMessage(e)),
                 call. = FALSE)
        }
    )
    if (!is.list(results) || is.data.frame(results) || length(results) == 0) {
        stop(sprintf("vtg.coxph: the task '%s' returned no results", method), call. = FALSE)
    }
    n <- length(results)
    for (k in seq_len(n)) {
        r <- results[[k]]
        if (is.null(r) || length(r) == 0) {
            stop(sprintf("vtg.coxph: node %d of %d returned no result for '%s'", k, n, method),
                 call. = FALSE)
        }
        if (!is.list(r)) {
            stop(sprintf("vtg.coxph: node %d of %d returned an unexpected result for '%s'",
                         k, n, method), call. = FALSE)
        }
        if (!is.null(r$error)) {
            stop(sprintf("vtg.coxph: node %d of %d refused '%s': %s", k, n, method,
                         paste(decode_names(r$error), collapse = " ")), call. = FALSE)
        }
    }
    results
}

# Sums the nodes' risk-set sums into s0 (D), s1 (D x m) and s2 (D x m x m).
add_risk_set_sums <- function(results, n_times, m) {
    n_pairs <- m * (m + 1) / 2
    s0 <- numeric(n_times)
    s1 <- numeric(n_times * m)
    s2 <- numeric(n_times * n_pairs)
    for (k in seq_along(results)) {
        r <- results[[k]]
        parts <- list(decode_numbers(r$s0), decode_numbers(r$s1), decode_numbers(r$s2))
        expected <- c(n_times, n_times * m, n_times * n_pairs)
        if (!identical(as.numeric(lengths(parts)), as.numeric(expected)) ||
            !identical(decode_numbers(r$n_times), as.numeric(n_times)) ||
            !identical(decode_numbers(r$n_vars), as.numeric(m))) {
            stop(sprintf("vtg.coxph: node %d of %d returned risk-set sums of the wrong size",
                         k, length(results)), call. = FALSE)
        }
        s0 <- s0 + parts[[1]]
        s1 <- s1 + parts[[2]]
        s2 <- s2 + parts[[3]]
    }
    s1 <- matrix(s1, n_times, m)
    s2_pairs <- matrix(s2, n_times, n_pairs)
    upper <- which(upper.tri(diag(m), diag = TRUE))
    s2 <- array(0, c(n_times, m, m))
    for (p in seq_len(n_pairs)) {
        jk <- arrayInd(upper[p], c(m, m))
        s2[, jk[1], jk[2]] <- s2_pairs[, p]
        s2[, jk[2], jk[1]] <- s2_pairs[, p]
    }
    list(s0 = s0, s1 = s1, s2 = s2)
}

# Log partial likelihood (Breslow), score and information at beta, from the summed sums.
# With covariates centred at `center`, sum_events (x - center) . beta - sum_t d_t log S0(t) is
# the log partial likelihood itself (the centring cancels).
cox_derivatives <- function(beta, sums, events_at, z_events_c, expl_vars) {
    m <- length(beta)
    s0 <- sums$s0
    if (any(!is.finite(s0)) || any(s0 <= 0)) {
        return(list(loglik = -Inf))
    }
    mean_x <- sums$s1 / s0                       # D x m: risk-set weighted means
    loglik <- sum(z_events_c * beta) - sum(events_at * log(s0))
    score <- z_events_c - colSums(events_at * mean_x)
    information <- matrix(0, m, m, dimnames = list(expl_vars, expl_vars))
    for (j in seq_len(m)) {
        for (k in seq_len(j)) {
            value <- sum(events_at * (sums$s2[, j, k] / s0 - mean_x[, j] * mean_x[, k]))
            information[j, k] <- value
            information[k, j] <- value
        }
    }
    if (any(!is.finite(score)) || any(!is.finite(information))) loglik <- -Inf
    list(loglik = loglik, score = score, information = information)
}

newton_step <- function(current, expl_vars) {
    drop(invert_information(current$information, expl_vars) %*% current$score)
}

invert_information <- function(information, expl_vars) {
    decomposition <- qr(information, tol = 1e-10)
    if (decomposition$rank < ncol(information)) {
        dependent <- expl_vars[decomposition$pivot[-seq_len(decomposition$rank)]]
        stop("vtg.coxph: the covariates are collinear or constant (the information matrix ",
             "is singular); check ", quote_names(dependent), call. = FALSE)
    }
    inverse <- solve(information)
    dimnames(inverse) <- list(expl_vars, expl_vars)
    inverse
}

print.dcoxph <- function(x, digits = max(getOption("digits") - 3, 3), ...) {
    iterations <- attr(x, "iterations")
    if (is.null(iterations)) {
        # a subset of the table: print it as the data frame it is
        print(as.data.frame(unclass(x), row.names = row.names(x), check.names = FALSE), ...)
        return(invisible(x))
    }
    cat("Federated Cox proportional-hazards regression (vtg.coxph, Breslow ties)\n\n")
    stats::printCoefmat(as.matrix(as.data.frame(unclass(x), row.names = row.names(x),
                                                check.names = FALSE)),
                        digits = digits, P.values = TRUE, has.Pvalue = TRUE,
                        signif.stars = FALSE, ...)
    loglik <- attr(x, "loglik")
    lr <- 2 * (loglik[2] - loglik[1])
    df <- nrow(x)
    cat(sprintf("\nLikelihood ratio test=%s on %d df, p=%s\n",
                format(round(lr, 2)), df,
                format.pval(stats::pchisq(lr, df, lower.tail = FALSE), digits = digits)))
    cat(sprintf("n= %s, number of events= %s, nodes= %s\n",
                attr(x, "n"), attr(x, "nevent"), attr(x, "nodes")))
    cat(sprintf("%s after %d iteration%s\n",
                if (isTRUE(attr(x, "converged"))) "Converged" else "Did NOT converge",
                iterations, if (iterations == 1) "" else "s"))
    invisible(x)
}
