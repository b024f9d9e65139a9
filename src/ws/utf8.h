/* Incremental UTF-8 validation (RFC 3629) for WebSocket text messages. */
#ifndef HL_UTF8_H
#define HL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Validator states. UTF8_ACCEPT: at a code point boundary. UTF8_REJECT: an
 * invalid sequence was seen; it is sticky. Any other value: inside a
 * multi-byte sequence. A state fits in one byte, so it can be stored in a
 * connection between fragments and between reads.
 */
#define UTF8_ACCEPT 0
#define UTF8_REJECT 1

/*
 * Continue validating from state over len bytes of p; returns the new state.
 * Overlong forms, surrogates (U+D800-DFFF) and code points above U+10FFFF
 * are rejected. A sequence may be split anywhere between calls. Returns
 * UTF8_REJECT as soon as the first invalid byte is seen. p is only read.
 */
uint8_t utf8_validate(uint8_t state, const uint8_t *p, size_t len);

#endif
