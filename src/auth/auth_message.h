/*
 * The first message of in-band authentication, without sockets:
 * {"type":"auth","token":"Bearer <token>"} (the scheme is optional). The
 * connection layer and the fuzz harness share it.
 */
#ifndef HL_AUTH_MESSAGE_H
#define HL_AUTH_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/jwt_verify.h"

#define AUTH_MSG_MAX	(JWT_TOKEN_MAX + 256)	/* bytes of an auth message */

/*
 * Parse len bytes of a message with the WebSocket opcode. Returns the
 * parsed document, which the caller frees with json_decref, with *token
 * and *toklen naming the token inside it (valid until then); or NULL when
 * the message is not a text auth message within AUTH_MSG_MAX bytes with a
 * usable token.
 */
json_t	*auth_message_parse(uint8_t opcode, const uint8_t *p, size_t len,
	    const char **token, size_t *toklen);

#endif
