// Package youcan is a client for the parts of the YouCan Shop API that
// restock a store: adding and removing stock of a product's variants, and
// reading products with their variants.
//
// Create a Client with NewClient and an access token, which a store owner
// creates in the seller area under Settings > Developer Settings. A Client
// is safe for concurrent use by multiple goroutines. Every method takes a
// context, whose deadline bounds the whole request.
//
// # Errors
//
// A method fails with one of these errors, which callers tell apart with
// errors.As and errors.Is:
//
//   - *Error: the API responded with a non-2xx status. StatusCode tells why:
//     401 for a token that is invalid, expired or revoked, 402 for a
//     suspended store, 403 for a token without the permission, 404 for an
//     unknown product, 422 for invalid input (see Fields), 429 when the
//     server refused the request, with RetryAfter when it gave one. A 4xx
//     status means the change was not applied. A 5xx may come from a gateway
//     after the change was applied.
//   - *RequestError: no usable response arrived. If WroteRequest is false,
//     the request was never fully written to the connection, so the server
//     cannot have applied it (connection refused, DNS or TLS failure). If it
//     is true, the server may have applied the change, and a StatusCode of
//     2xx says that it did but its response could not be read or decoded.
//   - When the context ends, the error is a *RequestError for which
//     errors.Is(err, context.Canceled) or errors.Is(err,
//     context.DeadlineExceeded) holds, and WroteRequest still tells whether
//     the request was written.
//   - Any other error reports invalid arguments, such as an empty id or a
//     quantity below 1, and no request was sent.
//
// The increment and decrement endpoints have no idempotency key, so a
// request that may have been applied must not be sent again blindly: the
// stock would change twice.
//
// # Decoding
//
// The API's responses do not always match its documented schema, so the
// client decodes only the fields of Product and Variant and ignores the
// type of every other field. A successful response body is read up to
// 8 MiB and an error body up to 64 KiB.
package youcan
