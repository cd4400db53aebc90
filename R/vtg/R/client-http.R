# HTTP to the server for the Client (client.R): JSON in and out, error answers and unreachable
# servers as vtg_error, and when to refresh an access token. The Client keeps the tokens.

HTTP_ATTEMPTS <- 3L # for GETs only: repeating one after a broken connection changes nothing

# The API's address: host (with its port) and the API path, without doubled or trailing
# slashes; an empty api_path means the API is at the root.
http_api_url <- function(host, api_path) {
  if (!is.character(host) || length(host) != 1 || !grepl("^https?://", host)) {
    vtg_stop("host must start with http:// or https://, e.g. 'http://127.0.0.1:7601'")
  }
  path <- gsub("^/+|/+$", "", if (is.null(api_path)) "" else api_path)
  base <- sub("/+$", "", host)
  if (nzchar(path)) paste0(base, "/", path) else base
}

# One request with `body` already JSON text; list(status, headers, text). A server that
# cannot be reached is a vtg_error naming the URL.
http_send <- function(method, url, query = NULL, body = NULL, token = NULL, timeout = 60) {
  headers <- c(
    Accept = "application/json",
    Authorization = if (!is.null(token)) paste("Bearer", token),
    `Content-Type` = if (!is.null(body)) "application/json"
  )
  attempts <- if (method == "GET") HTTP_ATTEMPTS else 1L
  for (attempt in seq_len(attempts)) {
    response <- tryCatch(
      httr::VERB(method, url,
        httr::add_headers(.headers = headers), httr::timeout(timeout),
        query = query, body = body, encode = "raw"
      ),
      error = function(e) e
    )
    if (!inherits(response, "error")) break
    if (attempt < attempts) Sys.sleep(0.5 * attempt)
  }
  if (inherits(response, "error")) {
    vtg_stop(sprintf(
      "%s %s: the server cannot be reached: %s", method, url, conditionMessage(response)
    ))
  }
  list(
    status = httr::status_code(response),
    headers = httr::headers(response),
    text = httr::content(response, as = "text", encoding = "UTF-8")
  )
}

# The decoded JSON of a successful answer (NULL when empty); a vtg_error for an error
# status, with the server's msg and the status. `response` is what http_send gives, plus
# the `method` and `url` it was for.
http_answer <- function(response) {
  where <- paste(response$method, response$url)
  if (response$status >= 400) {
    msg <- http_message(response)
    vtg_stop(sprintf("%s (HTTP %d from %s)", msg, response$status, where),
      status = response$status, msg = msg
    )
  }
  if (length(response$text) == 0 || is.na(response$text) || !nzchar(response$text)) {
    return(NULL)
  }
  body <- http_json(response$text)
  if (is.null(body)) {
    vtg_stop(sprintf(
      "%s answered with text that is not JSON: is this the address of a vantage6 server's API?",
      where
    ))
  }
  body
}

# The server's explanation ({"msg": ...}), else the start of whatever it sent.
http_message <- function(response) {
  body <- http_json(response$text)
  if (is.list(body) && is.character(body$msg) && length(body$msg) == 1) return(body$msg)
  text <- trimws(substr(paste(response$text, collapse = ""), 1, 200))
  if (is.na(text) || !nzchar(text)) "no explanation given" else text
}

http_json <- function(text) {
  tryCatch(jsonlite::parse_json(text, simplifyVector = FALSE), error = function(e) NULL)
}

# When to refresh an access token: shortly before it expires (a fifth of its life, at most a
# minute, before), read from the JWT's payload without verifying it (that is the server's
# job). NULL when the token says nothing about its expiry.
jwt_refresh_moment <- function(token) {
  claims <- tryCatch(
    {
      payload <- chartr("-_", "+/", strsplit(token, ".", fixed = TRUE)[[1]][2])
      payload <- paste0(payload, strrep("=", (4 - nchar(payload) %% 4) %% 4))
      jsonlite::parse_json(rawToChar(crypto_b64decode(payload, "the token")))
    },
    error = function(e) NULL
  )
  if (!is.list(claims) || !is.numeric(claims$exp)) return(NULL)
  issued <- if (is.numeric(claims$iat)) claims$iat else claims$exp
  claims$exp - min(60, (claims$exp - issued) / 5)
}
