nodes <- bundled_nodes()
vars <- c("Age", "Race2", "Race3", "Mar2", "grade")

test_that("event times and counts match the node's data, after the JSON round trip", {
    d <- nodes[[1]]
    r <- json_round_trip(RPC_get_unique_event_times_and_counts(d, "Time", "Censor", vars))
    expected <- table(d$Time[d$Censor == 1])
    expect_identical(decode_numbers(r$times), as.numeric(names(expected)))
    expect_identical(decode_numbers(r$counts), as.numeric(expected))
    expect_true(any(decode_numbers(r$counts) > 1))     # the bundled data has tied times
    expect_equal(r$n_rows, nrow(d))
    expect_equal(r$n_events, sum(d$Censor))
    expect_equal(r$n_incomplete, 0)
})

test_that("summed covariates are sums over events and over all rows", {
    d <- nodes[[2]]
    r <- json_round_trip(RPC_compute_summed_z(d, vars, "Time", "Censor"))
    expect_identical(decode_names(r$expl_vars), vars)
    expect_equal(decode_numbers(r$z_events),
                 unname(colSums(d[d$Censor == 1, vars])), tolerance = 1e-14)
    expect_equal(decode_numbers(r$z_all), unname(colSums(d[, vars])), tolerance = 1e-14)
    # a single covariate comes back as a scalar; decoding gives a length-1 vector
    r1 <- json_round_trip(RPC_compute_summed_z(d, "Age", "Time", "Censor"))
    expect_length(decode_numbers(r1$z_events), 1)
})

test_that("risk-set sums equal a direct computation over the rows at risk", {
    d <- nodes[[3]]
    beta <- c(0.03, 0.5, -0.2, 0.1, 0.7)
    center <- c(60, 0.15, 0.15, 0.45, 2)
    times <- c(5, 1, 30, 200, 12)          # any order, and times after every row
    r <- json_round_trip(RPC_perform_iteration(
        d, vars, "Time", "Censor", beta = encode_numbers(beta),
        unique_event_times = encode_numbers(times), center = encode_numbers(center)))
    expect_equal(r$n_times, length(times))
    expect_equal(r$n_vars, length(vars))
    m <- length(vars)
    s1 <- matrix(decode_numbers(r$s1), length(times), m)
    s2 <- matrix(decode_numbers(r$s2), length(times), m * (m + 1) / 2)
    x <- sweep(as.matrix(d[, vars]), 2, center)
    pairs <- which(upper.tri(diag(m), diag = TRUE), arr.ind = TRUE)
    for (i in seq_along(times)) {
        at_risk <- d$Time >= times[i]
        w <- exp(x[at_risk, , drop = FALSE] %*% beta)
        expect_equal(decode_numbers(r$s0)[i], sum(w), tolerance = 1e-13)
        expect_equal(s1[i, ], unname(colSums(x[at_risk, , drop = FALSE] * drop(w))),
                     tolerance = 1e-13)
        full <- crossprod(x[at_risk, , drop = FALSE] * sqrt(drop(w)))
        expect_equal(s2[i, ], unname(full[pairs]), tolerance = 1e-13)
    }
    expect_equal(decode_numbers(r$s0)[4], 0)     # nobody at risk at 200
})

test_that("one covariate and one event time survive the round trip as scalars", {
    d <- nodes[[3]]
    r <- json_round_trip(RPC_perform_iteration(d, "Age", "Time", "Censor", beta = 0.01,
                                               unique_event_times = 10))
    expect_equal(r$n_times, 1)
    expect_length(decode_numbers(r$s0), 1)
    expect_length(decode_numbers(r$s1), 1)
    expect_length(decode_numbers(r$s2), 1)
    expect_equal(decode_numbers(r$s2), sum(d$Age[d$Time >= 10]^2 * exp(0.01 * d$Age[d$Time >= 10])))
})

test_that("a node without events returns empty vectors that decode as such", {
    d <- nodes[[1]]
    d$Censor <- 0
    r <- json_round_trip(RPC_get_unique_event_times_and_counts(d, "Time", "Censor"))
    expect_identical(decode_numbers(r$times), numeric(0))
    expect_identical(decode_numbers(r$counts), numeric(0))
    expect_equal(r$n_events, 0)
})

test_that("rows with missing values are left out, and counted", {
    d <- nodes[[1]]
    d$Age[1:4] <- NA
    r <- RPC_get_unique_event_times_and_counts(d, "Time", "Censor", vars)
    expect_equal(r$n_rows, nrow(d) - 4)
    expect_equal(r$n_incomplete, 4)
})

test_that("partial functions return flat vectors, never tables", {
    d <- nodes[[1]]
    results <- list(
        RPC_get_unique_event_times_and_counts(d, "Time", "Censor", vars),
        RPC_compute_summed_z(d, vars, "Time", "Censor"),
        RPC_perform_iteration(d, vars, "Time", "Censor", beta = rep(0, 5),
                              unique_event_times = c(3, 8))
    )
    for (r in results) {
        expect_true(is.list(r))
        expect_null(r$error)
        for (part in r) expect_false(is.data.frame(part) || is.matrix(part))
    }
    expect_length(results[[3]]$s0, 2)
})
