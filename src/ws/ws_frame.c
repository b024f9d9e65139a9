/* RFC 6455 frame codec, server side. Frames are parsed where they lie in
 * the caller's buffer; the only state kept between calls is struct ws_msg,
 * so an idle connection needs no buffer at all (DESIGN.md §3). */
#include "autoconf.h"

#include <string.h>

#include "ws/utf8.h"
#include "ws/ws_frame.h"

#define WS_FIN		0x80
#define WS_RSV		0x70
#define WS_OPCODE	0x0f
#define WS_MASKED	0x80
#define WS_LEN7		0x7f
#define WS_LEN16	126
#define WS_LEN64	127
#define WS_MASK_BYTES	4

/* The chunk the partial UTF-8 scan unmasks into; any size works. */
#define WS_SCAN_CHUNK	256

static int
ws_fail(uint16_t *close_code, uint16_t code)
{
	*close_code = code;
	return -1;
}

static int
ws_opcode_is_control(uint8_t opcode)
{
	return (opcode & 0x08) != 0;
}

static int
ws_opcode_known(uint8_t opcode)
{
	return opcode <= WS_OP_BINARY || (opcode >= WS_OP_CLOSE &&
	    opcode <= WS_OP_PONG);
}

/* Apply every rule the first two header bytes decide. */
static int
ws_frame_check_start(const uint8_t *buf, struct ws_frame *f,
    uint16_t *close_code)
{
	f->fin = (buf[0] & WS_FIN) != 0;
	f->opcode = buf[0] & WS_OPCODE;
	f->masked = (buf[1] & WS_MASKED) != 0;
	/* No extension is ever negotiated, so every RSV bit is an error. */
	if ((buf[0] & WS_RSV) != 0 || !ws_opcode_known(f->opcode) ||
	    !f->masked)
		return ws_fail(close_code, WS_CLOSE_PROTOCOL);
	if (ws_opcode_is_control(f->opcode) &&
	    (!f->fin || (buf[1] & WS_LEN7) > WS_CONTROL_MAX))
		return ws_fail(close_code, WS_CLOSE_PROTOCOL);
	return 0;
}

/*
 * Read the payload length once its bytes are in buf. Returns 1 when done
 * (*ext set to the extended length size), 0 when more bytes are needed.
 * Lengths not in their shortest form are refused (RFC 6455 5.2 "the
 * minimal number of bytes MUST be used"), as wslay does.
 */
static int
ws_frame_length(const uint8_t *buf, size_t len, struct ws_frame *f,
    size_t *ext, uint16_t *close_code)
{
	uint8_t len7 = buf[1] & WS_LEN7;
	uint64_t value = 0;
	size_t i;

	*ext = len7 == WS_LEN16 ? 2 : len7 == WS_LEN64 ? 8 : 0;
	/* The top bit of a 64-bit length is reserved: fail on its byte. */
	if (*ext == 8 && len > 2 && (buf[2] & 0x80) != 0)
		return ws_fail(close_code, WS_CLOSE_PROTOCOL);
	if (len < 2 + *ext)
		return 0;
	if (*ext == 0)
		value = len7;
	for (i = 0; i < *ext; i++)
		value = value << 8 | buf[2 + i];
	if ((*ext == 2 && value < WS_LEN16) || (*ext == 8 && value <= 0xffff))
		return ws_fail(close_code, WS_CLOSE_PROTOCOL);
	f->payload_len = value;
	return 1;
}

ssize_t
ws_frame_parse(const uint8_t *buf, size_t len, struct ws_frame *f,
    uint16_t *close_code)
{
	size_t ext;
	int r;

	memset(f, 0, sizeof(*f));
	if (len < 2)
		return 0;
	if (ws_frame_check_start(buf, f, close_code) == -1)
		return -1;
	if ((r = ws_frame_length(buf, len, f, &ext, close_code)) <= 0)
		return r;
	if (len < 2 + ext + WS_MASK_BYTES)
		return 0;
	memcpy(f->mask, buf + 2 + ext, WS_MASK_BYTES);
	f->header_len = (uint8_t)(2 + ext + WS_MASK_BYTES);
	/* Cannot overflow: payload_len < 2^63 was checked. */
	f->frame_len = f->header_len + f->payload_len;
	f->payload = buf + f->header_len;
	if (len < f->frame_len)
		return 0;
	return (ssize_t)f->frame_len;
}

void
ws_unmask(uint8_t *p, size_t len, const uint8_t key[4], uint64_t offset)
{
	uint8_t pattern[8];
	uint64_t key64, word;
	size_t i;

	/* The key repeats every 4 bytes, so one 8-byte pattern rotated to
	 * the running offset serves the whole buffer. memcpy keeps the
	 * unaligned loads and stores defined (UBSan) and compiles to movs. */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = key[(offset + i) & 3];
	memcpy(&key64, pattern, sizeof(key64));
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&word, p + i, 8);
		word ^= key64;
		memcpy(p + i, &word, 8);
	}
	for (; i < len; i++)
		p[i] ^= pattern[i & 7];
}

void
ws_msg_init(struct ws_msg *msg)
{
	memset(msg, 0, sizeof(*msg));
}

/* Check a frame's place in the message sequence and its size, from the
 * header alone; sets frame->msg_opcode. */
static int
ws_msg_check_header(const struct ws_msg *msg, struct ws_frame *f,
    uint64_t max_message_bytes, uint16_t *close_code)
{
	uint64_t before = 0;

	if (ws_opcode_is_control(f->opcode))
		f->msg_opcode = f->opcode;
	else if (f->opcode == WS_OP_CONT) {
		if (msg->opcode == 0)
			return ws_fail(close_code, WS_CLOSE_PROTOCOL);
		f->msg_opcode = msg->opcode;
		before = msg->len;
	} else {
		if (msg->opcode != 0)
			return ws_fail(close_code, WS_CLOSE_PROTOCOL);
		f->msg_opcode = f->opcode;
	}
	/* msg->len never exceeds the bound, so the subtraction is safe. */
	if (f->payload_len > max_message_bytes - before)
		return ws_fail(close_code, WS_CLOSE_TOO_BIG);
	return 0;
}

/* Where a frame's UTF-8 starts and in which state; 0 if it has none. */
static int
ws_msg_utf8_span(const struct ws_msg *msg, const struct ws_frame *f,
    uint64_t *skip, uint8_t *state)
{
	if (f->opcode == WS_OP_CLOSE) {
		*skip = 2;	/* the status code */
		*state = UTF8_ACCEPT;
		return 1;
	}
	if (f->msg_opcode == WS_OP_TEXT) {
		*skip = 0;
		*state = msg->utf8;
		return 1;
	}
	return 0;
}

/*
 * Check the UTF-8 of an incomplete frame's payload so far, so a bad text
 * message fails before it is buffered whole. The payload stays masked in
 * the caller's buffer (the same bytes come again); a copy is unmasked.
 */
static ssize_t
ws_msg_scan_partial(struct ws_msg *msg, size_t len, const struct ws_frame *f,
    uint16_t *close_code)
{
	uint8_t chunk[WS_SCAN_CHUNK], start;
	uint64_t skip, avail = len - f->header_len;
	size_t n;

	if (!ws_msg_utf8_span(msg, f, &skip, &start))
		return 0;
	if (msg->scanned <= skip) {	/* nothing of this frame seen yet */
		msg->scanned = skip;
		msg->scan_utf8 = start;
	}
	while (msg->scanned < avail) {
		n = (size_t)(avail - msg->scanned);
		if (n > sizeof(chunk))
			n = sizeof(chunk);
		memcpy(chunk, f->payload + msg->scanned, n);
		ws_unmask(chunk, n, f->mask, msg->scanned);
		msg->scan_utf8 = utf8_validate(msg->scan_utf8, chunk, n);
		if (msg->scan_utf8 == UTF8_REJECT)
			return ws_fail(close_code, WS_CLOSE_INVALID_DATA);
		msg->scanned += n;
	}
	return 0;
}

/* Finish a complete data frame: UTF-8 from where the partial scan
 * stopped, then the message bookkeeping. */
static int
ws_msg_data(struct ws_msg *msg, const struct ws_frame *f, uint64_t from,
    uint8_t state, uint16_t *close_code)
{
	if (f->msg_opcode == WS_OP_TEXT) {
		state = utf8_validate(state, f->payload + from,
		    (size_t)(f->payload_len - from));
		/* A sequence cut by the final fragment is as bad as a wrong
		 * byte (RFC 6455 8.1). */
		if (state == UTF8_REJECT || (f->fin && state != UTF8_ACCEPT))
			return ws_fail(close_code, WS_CLOSE_INVALID_DATA);
		msg->utf8 = state;
	}
	if (f->fin) {
		msg->opcode = 0;
		msg->len = 0;
		msg->utf8 = UTF8_ACCEPT;
	} else {
		msg->opcode = f->msg_opcode;
		msg->len += f->payload_len;
	}
	return 0;
}

/* Unmask and check a complete frame. */
static int
ws_msg_complete(struct ws_msg *msg, uint8_t *buf, struct ws_frame *f,
    uint16_t *close_code)
{
	uint8_t *payload = buf + f->header_len;
	uint64_t from = msg->scanned;
	uint8_t state = from > 0 ? msg->scan_utf8 : msg->utf8;
	const uint8_t *reason;
	size_t reason_len;
	uint16_t code;

	msg->scanned = 0;
	ws_unmask(payload, (size_t)f->payload_len, f->mask, 0);
	f->payload = payload;
	if (f->opcode == WS_OP_CLOSE)
		return ws_close_parse(payload, (size_t)f->payload_len, &code,
		    &reason, &reason_len, close_code);
	if (ws_opcode_is_control(f->opcode))
		return 0;
	return ws_msg_data(msg, f, from, state, close_code);
}

ssize_t
ws_msg_feed(struct ws_msg *msg, uint8_t *buf, size_t len,
    uint64_t max_message_bytes, struct ws_frame *f, uint16_t *close_code)
{
	ssize_t n;

	n = ws_frame_parse(buf, len, f, close_code);
	if (n < 0 || f->frame_len == 0)
		return n;
	/* Sequence and size are checked on every call while the frame is
	 * incomplete: cheap, and it keeps struct ws_msg free of flags. */
	if (ws_msg_check_header(msg, f, max_message_bytes, close_code) == -1)
		return -1;
	if (n == 0)
		return ws_msg_scan_partial(msg, len, f, close_code);
	if (ws_msg_complete(msg, buf, f, close_code) == -1)
		return -1;
	return n;
}

int
ws_close_code_valid(uint16_t code)
{
	return (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) ||
	    (code >= 3000 && code <= 4999);
}

int
ws_close_parse(const uint8_t *payload, size_t len, uint16_t *code,
    const uint8_t **reason, size_t *reason_len, uint16_t *close_code)
{
	*reason = NULL;
	*reason_len = 0;
	if (len == 0) {
		*code = WS_CLOSE_NO_STATUS;
		return 0;
	}
	if (len > 2 && utf8_validate(UTF8_ACCEPT, payload + 2, len - 2) !=
	    UTF8_ACCEPT)
		return ws_fail(close_code, WS_CLOSE_INVALID_DATA);
	if (len == 1)
		return ws_fail(close_code, WS_CLOSE_PROTOCOL);
	*code = (uint16_t)(payload[0] << 8 | payload[1]);
	if (!ws_close_code_valid(*code))
		return ws_fail(close_code, WS_CLOSE_PROTOCOL);
	*reason = payload + 2;
	*reason_len = len - 2;
	return 0;
}

size_t
ws_close_build(uint8_t out[WS_CONTROL_MAX], uint16_t code, const char *reason,
    size_t reason_len)
{
	const uint8_t *r = (const uint8_t *)reason;

	if (reason_len > WS_CONTROL_MAX - 2) {
		reason_len = WS_CONTROL_MAX - 2;
		/* Back off to a character boundary: a cut sequence would make
		 * the peer fail us with 1007. */
		while (reason_len > 0 && (r[reason_len] & 0xc0) == 0x80)
			reason_len--;
	}
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	if (reason_len > 0)
		memcpy(out + 2, r, reason_len);
	return 2 + reason_len;
}

/* Write the first two bytes and the length in its shortest form. */
static size_t
ws_put_header(uint8_t *out, uint8_t opcode, int fin, uint8_t mask_bit,
    uint64_t len)
{
	size_t i, ext;

	out[0] = (uint8_t)((fin ? WS_FIN : 0) | (opcode & WS_OPCODE));
	if (len < WS_LEN16) {
		out[1] = (uint8_t)(mask_bit | len);
		return 2;
	}
	ext = len <= 0xffff ? 2 : 8;
	out[1] = (uint8_t)(mask_bit | (ext == 2 ? WS_LEN16 : WS_LEN64));
	for (i = 0; i < ext; i++)
		out[2 + i] = (uint8_t)(len >> (8 * (ext - 1 - i)));
	return 2 + ext;
}

size_t
ws_frame_header(uint8_t out[WS_SERVER_HEADER_MAX], uint8_t opcode, int fin,
    uint64_t payload_len)
{
	return ws_put_header(out, opcode, fin, 0, payload_len);
}

size_t
ws_frame_build_client(uint8_t *out, size_t outsize, uint8_t opcode, int fin,
    const uint8_t *payload, size_t len, const uint8_t mask[4])
{
	uint8_t header[WS_CLIENT_HEADER_MAX];
	size_t hlen;

	hlen = ws_put_header(header, opcode, fin, WS_MASKED, len);
	memcpy(header + hlen, mask, WS_MASK_BYTES);
	hlen += WS_MASK_BYTES;
	if (outsize < hlen || outsize - hlen < len)
		return 0;
	memcpy(out, header, hlen);
	if (len > 0)
		memcpy(out + hlen, payload, len);
	ws_unmask(out + hlen, len, mask, 0);
	return hlen + len;
}
