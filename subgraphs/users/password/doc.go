// Package password hashes and verifies the users service's passwords and decides
// which new passwords to accept.
//
// Hashes are argon2id (RFC 9106) stored as PHC strings, so the cost parameters
// travel with each hash: raising DefaultParams later needs no migration, because
// Verify reports needsRehash on the next successful login and the caller stores a
// fresh Hash. Stored strings are parsed strictly and their costs bounded (m ≤ 1
// GiB, t ≤ 20, p ≤ 16), so a tampered row cannot stall a login. A Hasher limits
// how many hashes run at once, since each holds ~19 MiB, and VerifyNothing lets
// the login path spend the same time on an unknown email as on a wrong password,
// so response times do not reveal who has an account.
//
// The policy follows NIST SP 800-63B: a length range and a check against commonly
// used passwords and the shopper's own name and email, rather than composition
// rules ("one digit, one symbol") that push people to "Password1!". The common
// list is zxcvbn's, taken from its Go port module instead of kept by hand here.
package password
