/* RFC 6455 frame codec for the server side: parse, unmask, message
 * assembly rules, close payloads and frame building. Takes bytes, never
 * file descriptors, and never allocates. */
#ifndef HL_WS_FRAME_H
#define HL_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

/* Close codes hotline sends (RFC 6455 7.4.1). */
enum ws_close_code {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL = 1002,
	WS_CLOSE_UNSUPPORTED = 1003,
	WS_CLOSE_NO_STATUS = 1005,	/* never on the wire */
	WS_CLOSE_INVALID_DATA = 1007,
	WS_CLOSE_POLICY = 1008,
	WS_CLOSE_TOO_BIG = 1009,
	WS_CLOSE_INTERNAL = 1011,
	WS_CLOSE_TRY_AGAIN = 1013,	/* "Try Again Later" (IANA registry) */
};

#define WS_CONTROL_MAX 125	/* payload bytes of a control frame */
#define WS_SERVER_HEADER_MAX 10	/* unmasked: 2 + 8 length bytes */
#define WS_CLIENT_HEADER_MAX 14	/* plus the 4-byte mask key */

/*
 * One frame as seen in the caller's buffer. payload points into that
 * buffer and is valid only as long as the caller keeps it; nothing here
 * is owned. frame_len is 0 until the whole header is available.
 */
struct ws_frame {
	const uint8_t	*payload;
	uint64_t	 payload_len;
	uint64_t	 frame_len;	/* header + payload */
	uint8_t		 header_len;
	uint8_t		 fin;
	uint8_t		 opcode;	/* as on the wire, WS_OP_CONT too */
	uint8_t		 msg_opcode;	/* set by ws_msg_feed: TEXT/BINARY for
					   data frames, else opcode */
	uint8_t		 masked;
	uint8_t		 mask[4];
};

/*
 * Parse the client frame at the start of buf (server rules: masked, RSV
 * bits clear, known opcode, control frames final and <= 125 bytes, length
 * in its shortest form and below 2^63). Stateless; buf is only read.
 *
 * Returns the frame's total size when it is complete in buf (the payload
 * is still masked); 0 when more bytes are needed, with frame->frame_len
 * set to the size needed once the header is complete (0 before); -1 on a
 * protocol error, with *close_code set (1002). Errors are reported from
 * the first byte that shows them, before the rest of the header arrives.
 */
ssize_t	ws_frame_parse(const uint8_t *buf, size_t len, struct ws_frame *frame,
	    uint16_t *close_code);

/*
 * XOR len bytes at p in place with the 4-byte key, starting at byte
 * offset of the payload (so a payload can be unmasked in chunks).
 * Unmasking twice restores the input: this also masks.
 */
void	ws_unmask(uint8_t *p, size_t len, const uint8_t key[4],
	    uint64_t offset);

/*
 * Message assembly state of one connection: fragmentation, the message
 * size bound and UTF-8 of text messages across fragments. Zero it (or
 * call ws_msg_init) when the connection opens. 24 bytes.
 */
struct ws_msg {
	uint64_t	len;		/* data bytes of the message so far */
	/* payload bytes of the pending, incomplete frame already UTF-8
	 * checked */
	uint64_t	scanned;
	/* TEXT/BINARY of a fragmented message in progress, 0 when none */
	uint8_t		opcode;
	uint8_t		utf8;		/* text: state after the last piece */
	uint8_t		scan_utf8;	/* state after 'scanned' bytes */
};

void	ws_msg_init(struct ws_msg *msg);

/*
 * Parse the frame at the start of buf and apply the message rules to it.
 * On a complete frame: unmasks its payload in place in buf, checks it,
 * fills frame (payload now plain) and returns the bytes consumed. For a
 * data frame frame->msg_opcode names the message; fin ends it. A close
 * frame's payload has been validated with ws_close_parse.
 *
 * Returns 0 when the frame is incomplete: frame->frame_len says how many
 * bytes it needs once the header is known (refuse or buffer). The bytes
 * already present are checked anyway so that a bad frame fails early, and
 * the caller must call again with the same frame start and more bytes
 * (the partial payload is left masked and unchanged).
 *
 * Returns -1 with *close_code: 1002 for frame and sequence errors (a
 * continuation with no message in progress, a new data message inside a
 * fragmented one), 1009 as soon as a header shows the message would pass
 * max_message_bytes, 1007 for invalid UTF-8 in a text message or close
 * reason. After -1 or a close frame the connection must stop parsing.
 */
ssize_t	ws_msg_feed(struct ws_msg *msg, uint8_t *buf, size_t len,
	    uint64_t max_message_bytes, struct ws_frame *frame,
	    uint16_t *close_code);

/*
 * Whether a received close code is acceptable: 1000-1003, 1007-1014
 * (1012-1014 are registered with IANA and sent by real servers and
 * proxies) and 3000-4999.
 */
int	ws_close_code_valid(uint16_t code);

/*
 * Check a close payload: empty (code set to 1005), or a valid code and a
 * UTF-8 reason. reason points into payload. Returns 0, or -1 with
 * *close_code 1002 (1 byte, bad code) or 1007 (reason not UTF-8; checked
 * first, as it is in the data path).
 */
int	ws_close_parse(const uint8_t *payload, size_t len, uint16_t *code,
	    const uint8_t **reason, size_t *reason_len, uint16_t *close_code);

/*
 * Write a close payload (code, then reason cut to fit 125 bytes on a
 * character boundary; reason must be UTF-8) into out. Returns its size.
 */
size_t	ws_close_build(uint8_t out[WS_CONTROL_MAX], uint16_t code,
	    const char *reason, size_t reason_len);

/*
 * Write an unmasked server frame header into out; returns its size (2, 4
 * or 10). The same header and payload are valid for every connection.
 */
size_t	ws_frame_header(uint8_t out[WS_SERVER_HEADER_MAX], uint8_t opcode,
	    int fin, uint64_t payload_len);

/*
 * Write a masked client frame (header, then payload XORed with mask) into
 * out; for tests and the bench client. Returns its size, or 0 when it
 * does not fit in outsize. payload is only read.
 */
size_t	ws_frame_build_client(uint8_t *out, size_t outsize, uint8_t opcode,
	    int fin, const uint8_t *payload, size_t len,
	    const uint8_t mask[4]);

#endif
