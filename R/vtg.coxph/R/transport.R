# Helpers for the values that travel between the researcher and the nodes.
#
# Everything crosses JSON twice: the task's arguments (serialized by the client, parsed by the
# node's wrapper) and the node's result (jsonlite::toJSON(auto_unbox = TRUE, digits = NA), then
# jsonlite::fromJSON(simplifyVector = TRUE) at the researcher). On the way a length-1 vector
# becomes a scalar, an empty vector becomes list(), and a number keeps only 15 significant
# digits. So every value is sent as a flat vector, dimensions are sent explicitly, and the
# values that must stay exact (event times, which nodes compare with their own times, and the
# coefficients and centring the node evaluates) are sent as text in a representation that
# parses back to the very same double.

# Text that parses back to exactly the same doubles.
encode_numbers <- function(x) {
    x <- as.numeric(x)
    out <- sprintf("%.15g", x)
    for (format in c("%.16g", "%.17g", "%a")) {   # "%a": hexadecimal, always exact
        inexact <- is.finite(x) & as.numeric(out) != x
        if (!any(inexact)) break
        out[inexact] <- sprintf(format, x[inexact])
    }
    out
}

# A plain numeric vector from whatever JSON made of one (numbers, text, list(), a scalar).
decode_numbers <- function(x) {
    if (is.null(x)) return(numeric(0))
    x <- unlist(x, use.names = FALSE)
    if (is.null(x)) return(numeric(0))
    if (is.character(x)) {
        return(suppressWarnings(as.numeric(x)))
    }
    as.numeric(x)
}

# A plain character vector from whatever JSON made of one.
decode_names <- function(x) {
    if (is.null(x)) return(character(0))
    x <- unlist(x, use.names = FALSE)
    if (is.null(x)) return(character(0))
    as.character(x)
}
