# The bundled synthetic data (inst/extdata, made by make-data.R): what the documentation and
# the other tests rely on.

seer_vars <- c("Age", "Race2", "Race3", "Mar2", "Mar3", "Mar4", "Mar5", "Mar9",
               "Hist8520", "hist8522", "hist8480", "hist8501", "hist8201", "hist8211",
               "grade", "ts", "nne", "npn", "er2", "er4")
indicator_vars <- setdiff(seer_vars, c("Age", "grade", "ts", "nne", "npn"))

test_that("the bundled data has 600 rows, split 280/200/120 over three nodes", {
    pooled <- extdata("coxph-all.csv")
    nodes <- bundled_nodes()
    expect_equal(nrow(pooled), 600)
    expect_equal(vapply(nodes, nrow, 1L), c(280, 200, 120))
    for (d in c(list(pooled), nodes)) {
        expect_identical(names(d), c("Time", "Censor", seer_vars))
    }
    # the node files hold exactly the rows of coxph-all.csv
    key <- function(d) sort(do.call(paste, d))
    expect_identical(key(do.call(rbind, nodes)), key(pooled))
})

test_that("the columns hold plausible values, with tied whole-month times", {
    d <- extdata("coxph-all.csv")
    expect_false(anyNA(d))
    expect_true(all(d$Time == round(d$Time) & d$Time >= 1 & d$Time <= 120))
    expect_true(any(table(d$Time[d$Censor == 1]) > 1))
    expect_true(all(d$Censor %in% 0:1))
    expect_gt(mean(d$Censor), 0.3)
    expect_lt(mean(d$Censor), 0.9)
    expect_true(all(d$Age >= 18 & d$Age <= 100))
    expect_setequal(unique(d$grade), 1:3)
    expect_true(all(d$ts >= 1 & d$ts == round(d$ts)))
    expect_true(all(d$nne >= 0 & d$npn >= 0 & d$npn <= d$nne))
    # indicators of one variable are 0/1 and exclusive (a reference category has none)
    for (group in list(c("Race2", "Race3"), c("Mar2", "Mar3", "Mar4", "Mar5", "Mar9"),
                       c("Hist8520", "hist8522", "hist8480", "hist8501", "hist8201",
                         "hist8211"), c("er2", "er4"))) {
        expect_true(all(as.matrix(d[group]) %in% 0:1))
        expect_true(all(rowSums(d[group]) <= 1))
        expect_true(any(rowSums(d[group]) == 0))
    }
})

test_that("no indicator is rare overall or at a node", {
    for (d in c(list(extdata("coxph-all.csv")), bundled_nodes())) {
        share <- colMeans(d[indicator_vars])
        expect_true(all(share >= 0.06), info = paste(names(share)[share < 0.06], collapse = " "))
        # and each has events at each node
        expect_true(all(colSums(d[d$Censor == 1, indicator_vars]) > 0))
    }
})
