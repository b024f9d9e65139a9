/* The first message of in-band authentication (see auth_message.h). */
#include "autoconf.h"

#include <string.h>

#include "auth/auth_message.h"
#include "ws/ws_frame.h"

json_t *
auth_message_parse(uint8_t opcode, const uint8_t *p, size_t len,
    const char **token, size_t *toklen)
{
	json_t *doc, *type, *tok;

	if (opcode != WS_OP_TEXT || len > AUTH_MSG_MAX ||
	    (doc = json_loadb((const char *)p, len, 0, NULL)) == NULL)
		return NULL;
	type = json_object_get(doc, "type");
	tok = json_object_get(doc, "token");
	if (!json_is_string(type) || strcmp(json_string_value(type),
	    "auth") != 0 || !json_is_string(tok) ||
	    jwt_bearer(json_string_value(tok), json_string_length(tok), token,
	    toklen) == -1) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
