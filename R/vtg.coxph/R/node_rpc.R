# Node side: the partial functions. The vantage6 wrapper calls RPC_<method>(data, ...) with the
# node's data frame and the task's named arguments, and returns the value as JSON. Each one
# returns only sums over the node's rows (never a row), as a list of flat vectors; or
# list(error = "...") when the node refuses (too few rows, a missing or non-numeric column).

# Step 1: the distinct event times at this node and the number of events at each.
#
# data        the node's data frame
# time_col    name of the follow-up time column
# censor_col  name of the event indicator column (1 = event, 0 = censored)
# expl_vars   optional: the covariates, checked here so that problems surface at once, and so
#             that the rows counted are the rows the model will use (complete cases)
#
# Returns list(times = character (exact text of the event times, increasing),
#              counts = integer (events at each time), n_rows, n_events, n_incomplete)
RPC_get_unique_event_times_and_counts <- function(data, time_col, censor_col, expl_vars = NULL) {
    as_refusal_result({
        prepared <- prepare_data(data, time_col, censor_col, expl_vars)
        event_times <- prepared$time[prepared$status == 1]
        times <- sort(unique(event_times))
        counts <- tabulate(match(event_times, times), nbins = length(times))
        list(
            times = encode_numbers(times),
            counts = as.integer(counts),
            n_rows = prepared$n,
            n_events = length(event_times),
            n_incomplete = prepared$n_incomplete
        )
    })
}

# Step 2: the covariates summed over this node's events, and over all its rows (the latter
# lets the researcher centre the covariates at their overall means, for numerical stability).
#
# Returns list(expl_vars = character, z_events = numeric (one per covariate),
#              z_all = numeric (one per covariate), n_rows, n_events)
RPC_compute_summed_z <- function(data, expl_vars, time_col, censor_col) {
    as_refusal_result({
        prepared <- prepare_data(data, time_col, censor_col, expl_vars)
        if (length(prepared$expl_vars) == 0) refuse("expl_vars names no column")
        x <- prepared$x
        list(
            expl_vars = prepared$expl_vars,
            z_events = unname(colSums(x[prepared$status == 1, , drop = FALSE])),
            z_all = unname(colSums(x)),
            n_rows = prepared$n,
            n_events = sum(prepared$status == 1)
        )
    })
}

# Step 3, once per Newton-Raphson iteration: for the coefficients `beta`, and for each of the
# (global) event times t, the sums over this node's rows still at risk at t (time >= t) of
#   w = exp((x - center) . beta),  w * x,  and  w * x x'  (its upper triangle).
#
# beta               numbers or exact text, one per covariate
# unique_event_times numbers or exact text: the event times of all nodes together
# center             optional, one per covariate (default 0): subtracted from the covariates
#
# Returns list(n_times = D, n_vars = m,
#              s0 = numeric D,
#              s1 = numeric D*m, the D x m matrix by column,
#              s2 = numeric D*m(m+1)/2, the D x P matrix by column, where the P columns are
#                   the pairs (j, k), j <= k, in the order k = 1..m, j = 1..k (column-major
#                   upper triangle of x x', diagonal included)).
RPC_perform_iteration <- function(data, expl_vars, time_col, censor_col, beta,
                                  unique_event_times, center = NULL) {
    as_refusal_result({
        prepared <- prepare_data(data, time_col, censor_col, expl_vars)
        m <- length(prepared$expl_vars)
        if (m == 0) refuse("expl_vars names no column")
        beta <- request_numbers(beta, "beta", m)
        times <- request_numbers(unique_event_times, "unique_event_times")
        center <- if (is.null(center)) rep(0, m) else request_numbers(center, "center", m)
        sums <- risk_set_sums(prepared$time, prepared$x, beta, times, center)
        list(
            n_times = length(times),
            n_vars = m,
            s0 = as.numeric(sums$s0),
            s1 = as.numeric(sums$s1),
            s2 = as.numeric(sums$s2)
        )
    })
}

# The risk-set sums of RPC_perform_iteration for local data (also used by the tests).
risk_set_sums <- function(time, x, beta, times, center = rep(0, ncol(x))) {
    m <- ncol(x)
    n_pairs <- m * (m + 1) / 2
    n_times <- length(times)
    empty <- list(s0 = numeric(n_times), s1 = matrix(0, n_times, m),
                  s2 = matrix(0, n_times, n_pairs))
    if (n_times == 0) return(empty)

    xc <- sweep(x, 2, center)
    w <- exp(drop(xc %*% beta))

    # Row i is at risk at the sorted times 1..bin[i]: sum the rows per bin, then add the bins
    # up from the last time backwards.
    order_times <- order(times)
    sorted <- times[order_times]
    bin <- findInterval(time, sorted)
    at_risk <- bin > 0
    if (!any(at_risk)) return(empty)
    bin <- bin[at_risk]
    xc <- xc[at_risk, , drop = FALSE]
    w <- w[at_risk]
    bins_present <- sort(unique(bin))

    per_bin <- function(values) {
        summed <- matrix(0, n_times, ncol(values))
        summed[bins_present, ] <- rowsum(values, bin, reorder = TRUE)
        # cumulative sums from the last time backwards
        for (j in seq_len(ncol(summed))) summed[, j] <- rev(cumsum(rev(summed[, j])))
        summed
    }

    wx <- xc * w
    s0 <- per_bin(matrix(w, ncol = 1))[, 1]
    s1 <- per_bin(wx)
    s2 <- matrix(0, n_times, n_pairs)
    column <- 0
    for (k in seq_len(m)) {
        # pairs (1, k), ..., (k, k)
        s2[, column + seq_len(k)] <- per_bin(xc[, seq_len(k), drop = FALSE] * wx[, k])
        column <- column + k
    }

    # back to the order in which the times were asked for
    s0[order_times] <- s0
    s1[order_times, ] <- s1
    s2[order_times, ] <- s2
    list(s0 = s0, s1 = s1, s2 = s2)
}
