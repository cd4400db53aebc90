# Makes the synthetic survival data bundled with vtg.coxph (no real patients). Its columns are
# those of the SEER breast-cancer example the documentation uses:
#   coxph-all.csv                  600 rows
#   coxph-node1.csv .. node3.csv   the same rows split over three nodes (280, 200 and 120 rows)
#
# Columns (categorical variables are 0/1 indicator columns against a reference category, which
# has 0 in all of them):
#   Time      follow-up in whole months (so event times are tied), 1 to 120
#   Censor    1 = event (death), 0 = censored
#   Age       age at diagnosis, years (25 to 90)
#   Race2, Race3                    race groups 2 and 3 (reference: group 1)
#   Mar2, Mar3, Mar4, Mar5, Mar9    marital status 2 married, 3 separated, 4 divorced,
#                                   5 widowed, 9 unknown (reference: 1 never married)
#   Hist8520, hist8522, hist8480, hist8501, hist8201, hist8211
#             histology (ICD-O-3): 8520 lobular, 8522 ductal and lobular, 8480 mucinous,
#             8501 comedo, 8201 cribriform, 8211 tubular (reference: 8500 ductal NOS).
#             The spelling (Hist8520 but hist8522 ...) is that of the original data.
#   grade     tumour grade 1, 2 or 3 (a number, not indicators)
#   ts        tumour size, mm (1 to 150)
#   nne       number of regional lymph nodes examined (0 to 40)
#   npn       number of positive lymph nodes (0 to nne)
#   er2, er4  estrogen-receptor status negative, unknown (reference: positive)
#
# Every indicator is 1 in at least 6% of the rows, and of each node's rows, so that neither the
# pooled fit nor a node's share of it is degenerate (the script stops otherwise).
#
# Run from any directory with:  Rscript inst/extdata/make-data.R
# It writes next to itself; with a fixed seed the files come out the same every time.

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
out_dir <- if (length(script) == 1) dirname(normalizePath(script)) else "inst/extdata"

set.seed(20240611)
n <- 600
sizes <- c(280, 200, 120)

# One categorical variable as indicator columns: `levels` are the category codes, the first
# the reference; `names` the indicator columns of the others.
indicators <- function(levels, prob, names) {
    category <- sample(levels, n, replace = TRUE, prob = prob)
    columns <- lapply(levels[-1], function(level) as.integer(category == level))
    stats::setNames(as.data.frame(columns), names)
}

Age <- pmin(pmax(round(rnorm(n, mean = 61, sd = 12)), 25), 90)
race <- indicators(c(1, 2, 3), c(0.72, 0.14, 0.14), c("Race2", "Race3"))
mar <- indicators(c(1, 2, 3, 4, 5, 9), c(0.16, 0.44, 0.09, 0.11, 0.11, 0.09),
                  c("Mar2", "Mar3", "Mar4", "Mar5", "Mar9"))
hist <- indicators(c(8500, 8520, 8522, 8480, 8501, 8201, 8211),
                   c(0.40, 0.12, 0.10, 0.09, 0.10, 0.09, 0.10),
                   c("Hist8520", "hist8522", "hist8480", "hist8501", "hist8201", "hist8211"))
grade <- sample(1:3, n, replace = TRUE, prob = c(0.25, 0.45, 0.30))
# tumour size: log-normal around 18 mm, somewhat larger for higher grades
ts <- pmin(pmax(round(exp(rnorm(n, mean = log(18) + 0.15 * (grade - 2), sd = 0.6))), 1), 150)
# lymph nodes examined, and of those the positive ones (more for larger tumours)
nne <- pmin(rnbinom(n, mu = 9, size = 2), 40)
npn <- rbinom(n, nne, plogis(-2 + 0.03 * (ts - 18)))
er <- indicators(c(1, 2, 4), c(0.70, 0.20, 0.10), c("er2", "er4"))

covariates <- data.frame(Age, race, mar, hist, grade, ts, nne, npn, er)

# Weibull event times (months) with proportional hazards and modest effects; uniform censoring
# (loss to follow-up) and administrative censoring at 120 months.
effects <- c(Age = 0.02, Race2 = 0.35, Race3 = -0.15,
             Mar2 = -0.20, Mar3 = 0.10, Mar4 = 0.05, Mar5 = 0.15, Mar9 = 0,
             Hist8520 = -0.10, hist8522 = -0.05, hist8480 = -0.30, hist8501 = 0.10,
             hist8201 = -0.20, hist8211 = -0.40,
             grade = 0.35, ts = 0.01, nne = -0.01, npn = 0.08, er2 = 0.40, er4 = 0.20)
stopifnot(identical(names(effects), names(covariates)))
x <- as.matrix(covariates)
linear <- drop(sweep(x, 2, colMeans(x)) %*% effects)
shape <- 1.2
scale <- 60
event_time <- scale * (-log(runif(n)) / exp(linear))^(1 / shape)
censor_time <- pmin(runif(n, min = 6, max = 200), 120)
Time <- pmax(1, ceiling(pmin(event_time, censor_time)))
Censor <- as.integer(event_time <= censor_time)

all <- data.frame(Time, Censor, covariates)
node <- sample(rep(1:3, times = sizes))

# no indicator too rare, overall or at a node
indicator_columns <- c(names(race), names(mar), names(hist), names(er))
for (k in 0:3) {
    rows <- if (k == 0) all else all[node == k, ]
    share <- colMeans(rows[indicator_columns])
    if (any(share < 0.06)) {
        stop(sprintf("too rare in %s: %s", if (k == 0) "the data" else paste("node", k),
                     paste(names(share)[share < 0.06], collapse = ", ")))
    }
}
stopifnot(all(npn <= nne))

write.csv(all, file.path(out_dir, "coxph-all.csv"), row.names = FALSE)
for (k in 1:3) {
    write.csv(all[node == k, ], file.path(out_dir, sprintf("coxph-node%d.csv", k)),
              row.names = FALSE)
}
